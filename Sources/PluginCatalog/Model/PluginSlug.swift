/// The canonical name of a plugin: lowercase ASCII, `-` written as `_`, matching
/// `^[a-z0-9][a-z0-9_]{0,63}$`. `BrainDrive-Network` and `braindrive_network` are one slug.
///
/// Only ASCII letters are lowercased, on purpose: Unicode lowercasing maps e.g. the Kelvin sign
/// `K` to `k`, which would let a look-alike name alias a real plugin.
/// Nothing is trimmed; NUL, `/` and `.` are refused, so a slug is always safe as a path component.
package struct PluginSlug: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    package let value: String

    package static let maxLength = 64

    /// Words that are routes under `/api/plugins/`: a package may not claim one.
    package static let reservedWords: Set<String> = [
        "available", "installed", "updates", "shared", "users", "audit", "health", "metrics",
    ]

    package init(_ raw: String) throws(CatalogError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        for byte in raw.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte + 32)
            case UInt8(ascii: "-"): bytes.append(UInt8(ascii: "_"))
            default: bytes.append(byte)
            }
        }
        guard Self.isCanonical(bytes) else { throw .invalidSlug(raw) }
        value = String(decoding: bytes, as: UTF8.self)
    }

    /// True when the slug is one of `reservedWords` (valid as a slug, but not for a package).
    package var isReserved: Bool { Self.reservedWords.contains(value) }

    package var description: String { value }

    package static func < (lhs: PluginSlug, rhs: PluginSlug) -> Bool { lhs.value < rhs.value }

    package init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    private static func isCanonical(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, bytes.count <= maxLength, first != UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }
}
