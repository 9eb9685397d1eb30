import Foundation
import PluginAPI

/// What every answer must be, whatever the input: never 500, a well-formed HTTP answer, a
/// problem+json body for every error, no absolute path of the server in it.
enum ResponseOracle {
    static func check(_ response: HTTPResponse, request: HTTPRequest, dataDir: String, workRoot: String) {
        func fail(_ rule: String) -> Never {
            let body = String(decoding: response.body.prefix(600), as: UTF8.self)
            fatalError("\(rule): \(request.method) \(request.path.prefix(200)) -> \(response.status) \(body)")
        }
        let status = response.status
        guard status != 500 else { fail("500 answered") }
        guard (200...599).contains(status) else { fail("status outside 200...599") }
        for (name, value) in response.headers {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                fail("header name not a token: \(name.debugDescription)")
            }
            guard value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
                fail("control character in header \(name)")
            }
        }
        guard let requestID = response.header("X-Request-Id"), !requestID.isEmpty else { fail("no X-Request-Id") }
        let body = String(decoding: response.body, as: UTF8.self)
        // Paths of the server never reach the client (the data directory lives under the work root).
        guard !body.contains(workRoot) else { fail("an absolute server path in the body") }

        if status == 304 {
            guard response.body.isEmpty else { fail("304 with a body") }
            return
        }
        if let redirect = response.header("X-Accel-Redirect") {
            // A file answer: empty, and what nginx will open is a file in some user's plugin
            // folder, every segment of it a plain name once nginx has decoded it.
            guard status == 200, response.body.isEmpty, redirect.hasPrefix("/_plugin_files/") else { fail("a redirect that is not a file answer") }
            let segments = redirect.dropFirst("/_plugin_files/".count).split(separator: "/", omittingEmptySubsequences: false)
            guard segments.count >= 3, segments.allSatisfy({ segment in
                guard let name = String(segment).removingPercentEncoding else { return false }
                return !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
            }) else { fail("a redirect outside a plugin folder: \(redirect.prefix(200))") }
            return
        }
        let object = response.jsonObject
        if status >= 400 {
            guard response.header("Content-Type") == "application/problem+json" else { fail("error without problem+json") }
            guard let object, object["status"] as? Int == status, let code = object["code"] as? String, !code.isEmpty,
                  object["title"] is String, object["detail"] is String, object["type"] as? String == "about:blank",
                  object["request_id"] as? String == requestID else {
                fail("malformed problem body")
            }
            if status == 401 {
                guard let challenge = response.header("WWW-Authenticate"), challenge.hasPrefix("Bearer realm=\"plugins\"") else {
                    fail("401 without WWW-Authenticate")
                }
            }
            if status == 405 && response.header("Allow") == nil { fail("405 without Allow") }
        } else {
            guard response.header("Content-Type") == "application/json", object != nil else { fail("success that is not a JSON object") }
            // The OpenAPI document is served bare; everything else in the envelope.
            if !request.path.hasSuffix("/openapi.json") && object?["status"] as? String != "success" {
                fail("success without the envelope")
            }
        }
    }
}
