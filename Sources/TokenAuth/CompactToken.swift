#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Shape checks on a compact JWS before jwt-kit decodes it.
///
/// jwt-kit's base64url decoder tolerates `=` padding, so one signed token had many spellings
/// (padding on the signature still verified). RFC 7515 §2 says unpadded base64url: anything else
/// is refused here. And RFC 7519 §4 lets a parser either refuse duplicate claim names or keep the
/// last one; Foundation's decoder keeps the first, so a token whose `sub`, `exp` or `refresh`
/// appears twice would mean one thing here and another to a last-wins reader: such tokens are refused.
enum CompactToken {
    /// Exactly three segments of the base64url alphabet (`A–Z a–z 0–9 - _`), none padded.
    static func hasCompactShape(_ token: [UInt8]) -> Bool {
        var dots = 0
        for byte in token {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            case UInt8(ascii: "."):
                dots += 1
            default:
                return false
            }
        }
        return dots == 2
    }

    /// True when the JSON object encoded in `segment` names one member twice (after unescaping).
    /// A segment that is not a JSON object is left to the decoder to refuse.
    static func hasDuplicateMembers(segment: ArraySlice<UInt8>) -> Bool {
        guard let json = Base64URL.decode(segment) else { return false }
        return JSONMemberNames.hasDuplicate(json)
    }
}

/// Reads the member names of a top-level JSON object, skipping the values.
enum JSONMemberNames {
    static func hasDuplicate(_ bytes: [UInt8]) -> Bool {
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        guard reader.take(UInt8(ascii: "{")) else { return false }
        var seen: Set<String> = []
        reader.skipSpace()
        if reader.take(UInt8(ascii: "}")) { return false }
        while true {
            reader.skipSpace()
            guard let name = reader.string() else { return false }
            if !seen.insert(name).inserted { return true }
            reader.skipSpace()
            guard reader.take(UInt8(ascii: ":")), reader.skipValue() else { return false }
            reader.skipSpace()
            if reader.take(UInt8(ascii: ",")) { continue }
            return false
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A JSON string, unescaped (so `"s\u0075b"` reads as `sub`).
        mutating func string() -> String? {
            let start = index
            guard take(UInt8(ascii: "\"")) else { return nil }
            var hasEscape = false
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index += 1
                    let raw = bytes[start..<index]
                    guard hasEscape else { return String(decoding: raw.dropFirst().dropLast(), as: UTF8.self) }
                    return (try? JSONDecoder().decode(String.self, from: Data(raw)))
                case UInt8(ascii: "\\"):
                    hasEscape = true
                    index += 2
                default:
                    index += 1
                }
            }
            return nil
        }

        /// Skips one value of any kind; nesting is tracked by counting, never by recursion.
        mutating func skipValue() -> Bool {
            skipSpace()
            var depth = 0
            repeat {
                guard index < bytes.count else { return false }
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1; index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard depth > 0 else { return false }
                    depth -= 1; index += 1
                default:
                    // Numbers, literals, separators inside a nested value.
                    if depth == 0 {
                        while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "}") { index += 1 }
                        return true
                    }
                    index += 1
                }
            } while depth > 0
            return true
        }
    }
}
