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
        if let magnitude = UInt64(exactly: value) {
            appendDecimal(magnitude)
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
    }

    package mutating func field(_ key: String, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A number with three decimals (milliseconds from microseconds, say).
    package mutating func field(_ key: String, thousandths value: UInt64) {
        self.key(key)
        appendDecimal(value / 1000)
        let fraction = value % 1000
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 100))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    /// Digits of `value` without a String in between.
    private mutating func appendDecimal(_ value: UInt64) {
        var scale: UInt64 = 1
        while scale <= value / 10 { scale *= 10 }
        var rest = value
        while scale > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / scale))
            rest %= scale
            scale /= 10
        }
    }

    /// A string value already known to need no escaping (the log's own timestamp).
    package mutating func field(_ key: String, plainASCII value: some Sequence<UInt8>) {
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: value)
        bytes.append(UInt8(ascii: "\""))
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

    /// Printable ASCII other than `"` and `\\`: nothing to escape.
    private static func isPlain(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in utf8 where byte < 0x20 || byte >= 0x7F || byte == 0x22 || byte == 0x5C { return false }
        return true
    }

    private mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Nearly every logged string (routes, ids, slugs) is short printable ASCII: copied as is,
        // checked and copied through the string's own buffer (a per-byte walk of the UTF-8 view
        // was 4 % of a status request's instructions).
        let copied = value.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
            guard utf8.count <= maxStringBytes, Self.isPlain(utf8) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        } ?? false
        if copied {
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
