import Synchronization
import Foundation

/// A request as the API sees it: built from CGI-style params (what FastCGI carries), so the
/// API can be driven in-process by tests without nginx or libfcgi.
package struct HTTPRequest: Sendable {
    package var method: String
    /// Raw path, still percent-encoded (segments are decoded one by one by the router).
    package var path: String
    package var query: [String: String]
    package var authorization: String?
    package var contentType: String?
    package var ifNoneMatch: String?
    package var body: [UInt8]
    /// The transport refused to read a body over its limit.
    package var bodyTooLarge: Bool
    /// The params (headers, URI) were over the transport's limit.
    package var paramsTooLarge: Bool = false
    package var requestID: String

    package init(method: String, path: String, query: [String: String] = [:], authorization: String? = nil,
                contentType: String? = nil, ifNoneMatch: String? = nil, body: [UInt8] = [],
                bodyTooLarge: Bool = false, requestID: String? = nil) {
        self.method = method; self.path = path; self.query = query; self.authorization = authorization
        self.contentType = contentType; self.ifNoneMatch = ifNoneMatch; self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.requestID = requestID.flatMap { RequestID.isAcceptable($0) ? $0 : nil } ?? RequestID.generate()
    }

    /// From CGI/FastCGI params: REQUEST_METHOD, REQUEST_URI, QUERY_STRING, HTTP_AUTHORIZATION,
    /// CONTENT_TYPE, HTTP_IF_NONE_MATCH, and REQUEST_ID (nginx's `$request_id`) or HTTP_X_REQUEST_ID.
    package init(cgiParams params: [String: String], body: [UInt8], bodyTooLarge: Bool, paramsTooLarge: Bool = false) {
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
            let key = formDecoded(parts[0]) ?? String(parts[0])
            let value = parts.count > 1 ? (formDecoded(parts[1]) ?? "") : ""
            if result[key] == nil { result[key] = value }
        }
        return result
    }
}

/// A query part: `+` is a space, then `%XX` escapes; nil for a bad escape or bytes that are not UTF-8.
func formDecoded(_ part: Substring) -> String? {
    if !part.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) { return String(part) }
    return percentDecoded(part.utf8, plusIsSpace: true)
}

/// `%XX` escapes decoded; nil for a bad escape or bytes that are not UTF-8 (as Foundation's
/// `removingPercentEncoding`, without Foundation on the request path).
func percentDecode(_ text: String) -> String? {
    guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
    return percentDecoded(text.utf8, plusIsSpace: false)
}

private func percentDecoded(_ input: some Collection<UInt8>, plusIsSpace: Bool) -> String? {
    func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
    var out: [UInt8] = []
    out.reserveCapacity(input.count)
    var index = input.startIndex
    while index != input.endIndex {
        let byte = input[index]
        input.formIndex(after: &index)
        if byte == UInt8(ascii: "%") {
            guard index != input.endIndex, let high = hex(input[index]) else { return nil }
            input.formIndex(after: &index)
            guard index != input.endIndex, let low = hex(input[index]) else { return nil }
            input.formIndex(after: &index)
            out.append(high << 4 | low)
        } else {
            out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
        }
    }
    return String(validating: out, as: UTF8.self)
}

enum RequestID {
    /// nginx's `$request_id` is 32 hex digits; accept any short token-safe id, never one that could forge log lines.
    static func isAcceptable(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
    }

    /// Used only when nginx sends no id. Ids must be unique, not secret: a random 64-bit prefix
    /// drawn once per process, then a counter scrambled by splitmix64's finaliser (a bijection, so
    /// no two requests of a process share an id). One atomic add, no system call, no Foundation.
    static func generate() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return hex(prefix, scramble(n))
    }

    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    private static func scramble(_ value: UInt64) -> UInt64 {
        var z = value &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `high` then `low` as 32 lowercase hex digits, written once into the string's own buffer.
    private static func hex(_ high: UInt64, _ low: UInt64) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 32) { buffer in
            digits.withUTF8Buffer { table in
                for i in 0..<32 {
                    let word = i < 16 ? high : low
                    buffer[i] = table[Int((word >> UInt64(60 - 4 * (i % 16))) & 0xF)]
                }
            }
            return 32
        }
    }
}
