import Foundation

/// A response value; the transport turns it into CGI output.
package struct HTTPResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }

    package func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The body decoded as a JSON object (tests and the CLI).
    package var jsonObject: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

/// The contract's success envelope.
struct SuccessEnvelope<Payload: Encodable>: Encodable {
    let status = "success"
    let message: String
    let data: Payload
}

enum JSONBody {
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        // Encoding our own value types cannot fail; an empty object is a safe answer if it ever did.
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }
}
