import Crypto

/// SHA-256 helpers shared by the index (hex, lowercase).
enum Digest {
    static func hex(of text: String) -> String { hex(SHA256.hash(data: Array(text.utf8))) }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
