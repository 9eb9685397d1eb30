import Foundation
/// A verified user id: the token's `sub` with hyphens removed, matching `^[A-Za-z0-9_]{1,64}$`.
/// Only this type reaches queries and paths.
public struct UserID: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(LifecycleError) {
        // UUIDs arrive with dashes; most ids have none and skip Foundation's replace.
        let normalized = raw.utf8.contains(UInt8(ascii: "-")) ? raw.replacingOccurrences(of: "-", with: "") : raw
        guard Self.isValid(normalized) else { throw .invalidUserID(raw) }
        value = normalized
    }

    public static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
        }
    }

    public var description: String { value }
}
