/// A flat JSON object written field by field into bytes: the log line's and the pool view's shape
/// (strings, numbers, booleans, null; no nesting needed).
package struct JSONObjectWriter: Sendable {
    package private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true
    /// Strings longer than this are cut (a log line must stay one atomic write).
    package var maxStringBytes = 1024

    package init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    package mutating func field(_ key: String, _ value: String?) {
        guard let value else { return null(key) }
        self.key(key)
        string(value)
    }

    package mutating func field(_ key: String, _ value: some BinaryInteger) {
        self.key(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    package mutating func field(_ key: String, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A number with three decimals (milliseconds from microseconds, say).
    package mutating func field(_ key: String, thousandths value: UInt64) {
        self.key(key)
        let fraction = String(value % 1000)
        bytes.append(contentsOf: "\(value / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)".utf8)
    }

    package mutating func null(_ key: String) {
        self.key(key)
        bytes.append(contentsOf: "null".utf8)
    }

    /// The object closed, with a trailing newline when `line` is set.
    package func finished(line: Bool = false) -> [UInt8] {
        var out = bytes
        out.append(UInt8(ascii: "}"))
        if line { out.append(UInt8(ascii: "\n")) }
        return out
    }

    private mutating func key(_ key: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Nearly every logged string (routes, ids, slugs) is short printable ASCII: copied as is.
        if value.utf8.count <= maxStringBytes, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) {
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        var written = 0
        for scalar in value.unicodeScalars {
            if written >= maxStringBytes { bytes.append(contentsOf: "…".utf8); break }
            switch scalar {
            case "\"": bytes.append(contentsOf: [0x5C, 0x22]); written += 2
            case "\\": bytes.append(contentsOf: [0x5C, 0x5C]); written += 2
            case "\n": bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")]); written += 2
            case "\r": bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")]); written += 2
            case "\t": bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")]); written += 2
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                bytes.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                written += 6
            default:
                let before = bytes.count
                UTF8.encode(scalar) { bytes.append($0) }  // no String per character
                written += bytes.count - before
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
