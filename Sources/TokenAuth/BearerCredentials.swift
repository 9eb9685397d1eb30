/// Extracts the token from an `Authorization` header value (RFC 6750 §2.1), as bytes: a walk
/// over the header's own UTF-8 (by Characters and through a Substring it was a fifth of a
/// verification, callgrind).
enum BearerCredentials {
    enum Outcome: Equatable {
        /// No header, or one with another scheme (`Basic …`).
        case absent
        /// `Bearer` with nothing after it.
        case empty
        case token([UInt8])
    }

    static func parse(_ header: String?) -> Outcome {
        guard var header else { return .absent }
        return header.withUTF8 { parse($0) }
    }

    /// Blanks (space, tab) around the value and between scheme and token are ignored.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        var start = 0, end = bytes.count
        while start < end, isBlank(bytes[start]) { start += 1 }
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        var schemeEnd = start
        while schemeEnd < end, !isBlank(bytes[schemeEnd]) { schemeEnd += 1 }
        guard isBearer(bytes[start..<schemeEnd]) else { return .absent }
        var tokenStart = schemeEnd
        while tokenStart < end, isBlank(bytes[tokenStart]) { tokenStart += 1 }
        return tokenStart == end ? .empty : .token(Array(bytes[tokenStart..<end]))
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static func isBearer(_ scheme: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        // ASCII case folding: OR-ing 0x20 lowercases letters only.
        scheme.count == 6 && zip(scheme, "bearer".utf8).allSatisfy { $0 | 0x20 == $1 }
    }
}
