import Foundation

/// A request as the API sees it: built from CGI-style params (what FastCGI carries), so the
/// API can be driven in-process by tests without nginx or libfcgi.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Raw path, still percent-encoded (segments are decoded one by one by the router).
    public var path: String
    public var query: [String: String]
    public var authorization: String?
    public var contentType: String?
    public var ifNoneMatch: String?
    public var body: [UInt8]
    /// The transport refused to read a body over its limit.
    public var bodyTooLarge: Bool
    /// The params (headers, URI) were over the transport's limit.
    public var paramsTooLarge: Bool = false
    public var requestID: String

    public init(method: String, path: String, query: [String: String] = [:], authorization: String? = nil,
                contentType: String? = nil, ifNoneMatch: String? = nil, body: [UInt8] = [],
                bodyTooLarge: Bool = false, requestID: String? = nil) {
        self.method = method; self.path = path; self.query = query; self.authorization = authorization
        self.contentType = contentType; self.ifNoneMatch = ifNoneMatch; self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.requestID = requestID.flatMap { RequestID.isAcceptable($0) ? $0 : nil } ?? RequestID.generate()
    }

    /// From CGI/FastCGI params: REQUEST_METHOD, REQUEST_URI, QUERY_STRING, HTTP_AUTHORIZATION,
    /// CONTENT_TYPE, HTTP_IF_NONE_MATCH, and REQUEST_ID (nginx's `$request_id`) or HTTP_X_REQUEST_ID.
    public init(cgiParams params: [String: String], body: [UInt8], bodyTooLarge: Bool, paramsTooLarge: Bool = false) {
        let uri = params["REQUEST_URI"] ?? params["DOCUMENT_URI"] ?? params["SCRIPT_NAME"] ?? "/"
        let path = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(uri[..<$0]) } ?? uri
        self.init(method: params["REQUEST_METHOD"] ?? "GET", path: path,
                  query: Self.parseQuery(params["QUERY_STRING"] ?? ""),
                  authorization: params["HTTP_AUTHORIZATION"], contentType: params["CONTENT_TYPE"],
                  ifNoneMatch: params["HTTP_IF_NONE_MATCH"], body: body, bodyTooLarge: bodyTooLarge,
                  requestID: params["REQUEST_ID"] ?? params["HTTP_X_REQUEST_ID"])
        self.paramsTooLarge = paramsTooLarge
    }

    static func parseQuery(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        if text.isEmpty { return result }
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = percentDecode(String(parts[0]).replacingOccurrences(of: "+", with: " ")) ?? String(parts[0])
            let value = parts.count > 1 ? (percentDecode(String(parts[1]).replacingOccurrences(of: "+", with: " ")) ?? "") : ""
            if result[key] == nil { result[key] = value }
        }
        return result
    }
}

func percentDecode(_ text: String) -> String? {
    guard text.contains("%") else { return text }
    return text.removingPercentEncoding
}

enum RequestID {
    /// nginx's `$request_id` is 32 hex digits; accept any short token-safe id, never one that could forge log lines.
    static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
    }

    static func generate() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
