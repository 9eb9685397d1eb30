/// Extracts the token from an `Authorization` header value (RFC 6750 §2.1).
enum BearerCredentials {
    enum Outcome: Equatable {
        /// No header, or one with another scheme (`Basic …`).
        case absent
        /// `Bearer` with nothing after it.
        case empty
        case token(Substring)
    }

    static func parse(_ header: String?) -> Outcome {
        guard let header else { return .absent }
        let value = header.trimmingWhitespace()
        guard let schemeEnd = value.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            return isBearer(value) ? .empty : .absent
        }
        guard isBearer(value[..<schemeEnd]) else { return .absent }
        let token = value[schemeEnd...].trimmingWhitespace()
        return token.isEmpty ? .empty : .token(token)
    }

    private static func isBearer(_ scheme: Substring) -> Bool {
        // ASCII case folding without allocating: OR-ing 0x20 lowercases letters only.
        scheme.utf8.count == 6 && zip(scheme.utf8, "bearer".utf8).allSatisfy { $0 | 0x20 == $1 }
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return Substring()
        }
        return Substring(self[first...last])
    }
}
