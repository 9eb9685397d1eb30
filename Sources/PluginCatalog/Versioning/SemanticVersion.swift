/// A Semantic Versioning 2.0.0 version: `MAJOR.MINOR.PATCH[-prerelease][+build]`.
///
/// Parsing is strict (no `v` prefix, no leading zeros in numeric identifiers, no empty
/// identifiers), so a valid version has exactly one spelling and `description` gives it back.
/// Order is SemVer precedence: `1.0.10 > 1.0.9`, `1.0.0-alpha < 1.0.0`, build metadata ignored.
/// Equality, however, includes build metadata (`1.0.0+a != 1.0.0+b`, though neither is
/// greater): it identifies a version folder, not a precedence class.
///
/// ```swift
/// let v = try SemanticVersion(parsing: "1.0.0-rc.1")
/// v < SemanticVersion("1.0.0")!   // true
/// ```
package struct SemanticVersion: Comparable, Hashable, Sendable, LosslessStringConvertible, Codable {
    package let major: Int
    package let minor: Int
    package let patch: Int
    package let prerelease: [String]
    package let build: [String]

    package init(major: Int, minor: Int, patch: Int, prerelease: [String] = [], build: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
    }

    /// Parses a strict SemVer 2.0.0 string; throws `.invalidVersion(text)`.
    package init(parsing text: String) throws(CatalogError) {
        guard let version = Self.parse(Substring(text)) else { throw .invalidVersion(text) }
        self = version
    }

    package init?(_ description: String) {
        guard let version = Self.parse(Substring(description)) else { return nil }
        self = version
    }

    package var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { text += "-" + prerelease.joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }

    package var isPrerelease: Bool { !prerelease.isEmpty }

    /// The same version without pre-release and build parts.
    package var release: SemanticVersion { SemanticVersion(major: major, minor: minor, patch: patch) }

    /// Precedence comparison (SemVer §11): -1, 0 or 1; build metadata is ignored.
    package func comparePrecedence(_ other: SemanticVersion) -> Int {
        if major != other.major { return major < other.major ? -1 : 1 }
        if minor != other.minor { return minor < other.minor ? -1 : 1 }
        if patch != other.patch { return patch < other.patch ? -1 : 1 }
        switch (prerelease.isEmpty, other.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): break
        }
        for (a, b) in zip(prerelease, other.prerelease) {
            let order = Self.compareIdentifiers(a, b)
            if order != 0 { return order }
        }
        if prerelease.count == other.prerelease.count { return 0 }
        return prerelease.count < other.prerelease.count ? -1 : 1
    }

    package static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        lhs.comparePrecedence(rhs) < 0
    }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = Self.parse(Substring(text)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(text)' is not a semantic version"))
        }
        self = version
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: - Parsing

    static func parse(_ text: Substring) -> SemanticVersion? {
        // Nearly every stored version is a plain `MAJOR.MINOR.PATCH`: read from the bytes at once
        // (the general path below walks Characters, and `installed` parses one per plugin).
        plainRelease(text) ?? parseGeneral(text)
    }

    /// Any SemVer 2.0.0 version: pre-release and build identifiers included.
    static func parseGeneral(_ text: Substring) -> SemanticVersion? {
        var rest = text
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            guard let ids = identifiers(rest[rest.index(after: plus)...], numericStrict: false) else { return nil }
            build = ids
            rest = rest[..<plus]
        }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            guard let ids = identifiers(rest[rest.index(after: dash)...], numericStrict: true) else { return nil }
            prerelease = ids
            rest = rest[..<dash]
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let major = number(parts[0]), let minor = number(parts[1]), let patch = number(parts[2])
        else { return nil }
        return SemanticVersion(major: major, minor: minor, patch: patch, prerelease: prerelease, build: build)
    }

    /// `MAJOR.MINOR.PATCH` of ASCII digits only, no leading zeros, each fitting in Int; nil for
    /// anything else, which the general parser then decides.
    static func plainRelease(_ text: Substring) -> SemanticVersion? {
        var parts = [0, 0, 0], part = 0, digits = 0, leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, part < 2 else { return nil }
                part += 1; digits = 0; leadingZero = false
                continue
            }
            guard isDigit(byte), !leadingZero else { return nil }
            let (times10, overflow1) = parts[part].multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            parts[part] = sum
            leadingZero = digits == 0 && byte == UInt8(ascii: "0")
            digits += 1
        }
        guard part == 2, digits > 0 else { return nil }
        return SemanticVersion(major: parts[0], minor: parts[1], patch: parts[2])
    }

    /// A numeric identifier: digits, no leading zero, fits in Int.
    static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy(isDigit), text == "0" || text.first != "0" else { return nil }
        return Int(text)
    }

    private static func identifiers(_ text: Substring, numericStrict: Bool) -> [String]? {
        let ids = text.split(separator: ".", omittingEmptySubsequences: false)
        for id in ids {
            guard !id.isEmpty, id.utf8.allSatisfy({ isDigit($0) || isLetter($0) || $0 == UInt8(ascii: "-") }) else { return nil }
            if numericStrict, id.utf8.allSatisfy(isDigit), id.count > 1, id.first == "0" { return nil }
        }
        return ids.map(String.init)
    }

    /// Numeric identifiers compare as numbers (by length first: no leading zeros, no overflow),
    /// numeric ones sort before alphanumeric ones, the rest compare in ASCII order.
    private static func compareIdentifiers(_ a: String, _ b: String) -> Int {
        let aNumeric = a.utf8.allSatisfy(isDigit)
        let bNumeric = b.utf8.allSatisfy(isDigit)
        switch (aNumeric, bNumeric) {
        case (true, true):
            if a.utf8.count != b.utf8.count { return a.utf8.count < b.utf8.count ? -1 : 1 }
            return a == b ? 0 : (a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1)
        case (true, false): return -1
        case (false, true): return 1
        case (false, false):
            return a == b ? 0 : (a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1)
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
