/// One FastCGI request, copied out of libfcgi so it stays valid after the request is finished.
///
/// Header names arrive as CGI variables (`HTTP_AUTHORIZATION`, `REQUEST_METHOD`, …). Bytes that
/// are not valid UTF-8 are replaced (U+FFFD) rather than rejected, so a malformed param can never
/// crash a worker; the handler decides whether such a request is acceptable.
package struct FastCGIRequest: Sendable {
    /// The FastCGI params (CGI variables), copied out of libfcgi's `envp`.
    package let params: [String: String]
    /// The request body (FastCGI stdin), read up to `CONTENT_LENGTH`; empty when there is none
    /// or when it was over the limit.
    package let body: [UInt8]
    /// `CONTENT_LENGTH` (or the stream itself) exceeded `maxBodyBytes`: the body was discarded
    /// unread and the handler should answer 413.
    package let bodyExceededLimit: Bool
    /// The params together (names plus values) exceeded `maxParamsBytes`. They are still all
    /// present (libfcgi had already buffered them); the body was discarded and the handler
    /// should answer 400 (or 431) without looking further.
    package let paramsExceededLimit: Bool

    package init(
        params: [String: String], body: [UInt8] = [],
        bodyExceededLimit: Bool = false, paramsExceededLimit: Bool = false
    ) {
        self.params = params
        self.body = body
        self.bodyExceededLimit = bodyExceededLimit
        self.paramsExceededLimit = paramsExceededLimit
    }
}
