/// The caller a verified token speaks for.
///
/// `userID` is the token's `sub` with hyphens removed (a UUID becomes 32 hex digits, as in
/// BrainDrive); it always matches `^[A-Za-z0-9_]{1,64}$`, so it is safe in ids, SQL and paths.
package struct Identity: Sendable, Equatable {
    package let userID: String
    package let isAdmin: Bool

    package init(userID: String, isAdmin: Bool) {
        self.userID = userID
        self.isAdmin = isAdmin
    }

    /// Applies the user-id rule to a raw `sub`: hyphens removed, then `^[A-Za-z0-9_]{1,64}$`.
    /// Returns `nil` when the result breaks the rule.
    package static func normalizedUserID(fromSubject subject: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(subject.utf8.count, 65))
        for byte in subject.utf8 where byte != UInt8(ascii: "-") {
            guard isUserIDByte(byte), bytes.count < 64 else { return nil }
            bytes.append(byte)
        }
        guard !bytes.isEmpty else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isUserIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
