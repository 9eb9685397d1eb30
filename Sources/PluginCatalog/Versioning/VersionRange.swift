/// An npm-style version range, as written in `dependencies` of a `plugin.json`.
///
/// Accepts `1.2.3`, `=1.2.3`, `^1.2.3`, `~1.2.3`, `>=1.0.0 <2.0.0`, `1.x`, `1.2.*`, `*`,
/// hyphen ranges `1.2.3 - 2.0.0` and alternatives `a || b`. Each alternative is desugared into
/// primitive comparators exactly as npm's `semver` does (`^1.2.3` is `>=1.2.3 <2.0.0-0`).
///
/// Pre-releases follow npm's rule: `1.3.0-beta` satisfies an alternative only when one of its
/// comparators names `1.3.0` with a pre-release (`>=1.3.0-alpha`), so `^1.0.0` never picks a
/// pre-release by accident, and `*` matches no pre-release at all.
/// Stricter than npm on purpose: an empty range or alternative (npm reads it as `*`, so
/// `1.0.0 ||` is everything) and a number after a wildcard (`1.x.2`) are refused; a catalog that
/// means `*` says so. Everything else agrees with node-semver (NodeSemverDifferentialTests).
package struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    /// One primitive comparison against a version.
    package struct Comparator: Sendable, Hashable, CustomStringConvertible {
        package enum Operator: String, Sendable, Hashable { case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "=" }
        package let op: Operator
        package let version: SemanticVersion

        package func matches(_ v: SemanticVersion) -> Bool {
            let order = v.comparePrecedence(version)
            switch op {
            case .lt: return order < 0
            case .le: return order <= 0
            case .gt: return order > 0
            case .ge: return order >= 0
            case .eq: return order == 0
            }
        }

        package var description: String { op.rawValue + version.description }
    }

    /// The range as written.
    package let text: String
    /// Alternatives (`||`); each is a conjunction of comparators. An empty conjunction is `*`.
    package let alternatives: [[Comparator]]

    package init(_ text: String) throws(CatalogError) {
        self.text = text
        var alternatives: [[Comparator]] = []
        let parts = text.components(separatedBy: "||")
        for part in parts {
            guard let set = Self.parseAlternative(part) else { throw .invalidRange(text) }
            // npm reads `>=0.0.0` as `*` (it differs only on 0.0.0's pre-releases).
            alternatives.append(set.filter { $0 != Self.atLeastZero })
        }
        // npm: a range with an unbounded alternative is `*` alone, so `>=1.0.0-0 || *` matches
        // no pre-release.
        if alternatives.count > 1, alternatives.contains(where: \.isEmpty) { alternatives = [[]] }
        self.alternatives = alternatives
    }

    private static let atLeastZero = Comparator(op: .ge, version: SemanticVersion(major: 0, minor: 0, patch: 0))

    package var description: String { text }

    /// The desugared form, e.g. `>=1.2.3 <2.0.0-0`; `*` for an unbounded alternative.
    package var normalized: String {
        alternatives.map { $0.isEmpty ? "*" : $0.map(\.description).joined(separator: " ") }.joined(separator: " || ")
    }

    package func contains(_ v: SemanticVersion) -> Bool {
        alternatives.contains { set in
            guard set.allSatisfy({ $0.matches(v) }) else { return false }
            if !v.isPrerelease { return true }
            return set.contains { c in
                c.version.isPrerelease && c.version.major == v.major && c.version.minor == v.minor && c.version.patch == v.patch
            }
        }
    }

    // MARK: - Parsing

    /// A version with some parts possibly wildcards (`nil`): `1`, `1.x`, `1.2.*`, `*`, `1.2.3-rc.1`.
    private struct Partial {
        var major: Int?, minor: Int?, patch: Int?
        var prerelease: [String] = []

        var isFull: Bool { patch != nil }
        /// Lowest version the partial names: wildcards become 0.
        var floor: SemanticVersion {
            SemanticVersion(major: major ?? 0, minor: minor ?? 0, patch: patch ?? 0, prerelease: prerelease)
        }
        static func pre0(_ major: Int, _ minor: Int, _ patch: Int) -> SemanticVersion {
            SemanticVersion(major: major, minor: minor, patch: patch, prerelease: ["0"])
        }
    }

    private static func parsePartial(_ raw: Substring) -> Partial? {
        var text = raw
        if text.first == "v" || text.first == "V" { text = text.dropFirst() }
        if let plus = text.firstIndex(of: "+") { text = text[..<plus] } // build metadata is ignored
        var prerelease: [String] = []
        if let dash = text.firstIndex(of: "-") {
            guard let version = SemanticVersion.parse(text), !version.prerelease.isEmpty else { return nil }
            prerelease = version.prerelease
            text = text[..<dash]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var numbers: [Int?] = []
        var sawWildcard = false
        for part in parts {
            if part == "x" || part == "X" || part == "*" {
                sawWildcard = true
                numbers.append(nil)
            } else {
                guard !sawWildcard, let n = SemanticVersion.number(part) else { return nil }
                numbers.append(n)
            }
        }
        while numbers.count < 3 { numbers.append(nil) }
        if !prerelease.isEmpty && numbers.contains(where: { $0 == nil }) { return nil }
        return Partial(major: numbers[0], minor: numbers[1], patch: numbers[2], prerelease: prerelease)
    }

    private static let operators: [String] = [">=", "<=", "~>", ">", "<", "=", "~", "^"]

    private static func parseAlternative(_ part: String) -> [Comparator]? {
        // Tokens split on whitespace; an operator written apart from its version (`>= 1.2.3`) is joined to it.
        var tokens: [Substring] = []
        var pending: Substring?
        for token in part.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            if let op = pending {
                tokens.append(Substring(String(op) + String(token)))
                pending = nil
            } else if operators.contains(String(token)) {
                pending = token
            } else {
                tokens.append(token)
            }
        }
        guard pending == nil, !tokens.isEmpty else { return nil }

        if tokens.count == 3, tokens[1] == "-" {
            guard let low = parsePartial(tokens[0]), let high = parsePartial(tokens[2]) else { return nil }
            var set: [Comparator] = []
            if low.major != nil { set.append(Comparator(op: .ge, version: low.floor)) }
            set += upperBound(of: high, inclusive: true)
            return set
        }
        var set: [Comparator] = []
        for token in tokens {
            guard let comparators = parseSimple(token) else { return nil }
            set += comparators
        }
        return set
    }

    private static func parseSimple(_ token: Substring) -> [Comparator]? {
        // No operator means an X-range or an exact version (`1.x`, `1.2.3`); parsePartial refuses the rest.
        let op = operators.first(where: { token.hasPrefix($0) }) ?? ""
        guard let p = parsePartial(token.dropFirst(op.count)) else { return nil }
        switch op {
        case "^": return caret(p)
        case "~", "~>": return tilde(p)
        case "", "=": return xRange(p)
        case ">=": return p.major == nil ? [] : [Comparator(op: .ge, version: p.floor)]
        case "<=": return upperBound(of: p, inclusive: true)
        case "<":
            return p.major == nil ? [Comparator(op: .lt, version: Partial.pre0(0, 0, 0))] : [Comparator(op: .lt, version: p.isFull ? p.floor : Partial.pre0(p.major!, p.minor ?? 0, 0))]
        case ">":
            guard let major = p.major else { return [Comparator(op: .lt, version: Partial.pre0(0, 0, 0))] }
            if p.isFull { return [Comparator(op: .gt, version: p.floor)] }
            if let minor = p.minor { return [Comparator(op: .ge, version: SemanticVersion(major: major, minor: minor + 1, patch: 0))] }
            return [Comparator(op: .ge, version: SemanticVersion(major: major + 1, minor: 0, patch: 0))]
        default: return nil
        }
    }

    /// `<=p` (or the top of a hyphen range): a partial upper bound covers its whole wildcard span.
    private static func upperBound(of p: Partial, inclusive: Bool) -> [Comparator] {
        guard let major = p.major else { return [] }
        if p.isFull { return [Comparator(op: inclusive ? .le : .lt, version: p.floor)] }
        if let minor = p.minor { return [Comparator(op: .lt, version: Partial.pre0(major, minor + 1, 0))] }
        return [Comparator(op: .lt, version: Partial.pre0(major + 1, 0, 0))]
    }

    private static func xRange(_ p: Partial) -> [Comparator] {
        guard let major = p.major else { return [] }
        guard let minor = p.minor else {
            return [Comparator(op: .ge, version: p.floor), Comparator(op: .lt, version: Partial.pre0(major + 1, 0, 0))]
        }
        guard p.patch != nil else {
            return [Comparator(op: .ge, version: p.floor), Comparator(op: .lt, version: Partial.pre0(major, minor + 1, 0))]
        }
        return [Comparator(op: .eq, version: p.floor)]
    }

    private static func tilde(_ p: Partial) -> [Comparator] {
        guard let major = p.major else { return [] }
        guard let minor = p.minor else { return xRange(p) }
        return [Comparator(op: .ge, version: p.floor), Comparator(op: .lt, version: Partial.pre0(major, minor + 1, 0))]
    }

    private static func caret(_ p: Partial) -> [Comparator] {
        guard let major = p.major else { return [] }
        let low = Comparator(op: .ge, version: p.floor)
        if major > 0 { return [low, Comparator(op: .lt, version: Partial.pre0(major + 1, 0, 0))] }
        guard let minor = p.minor else { return [low, Comparator(op: .lt, version: Partial.pre0(1, 0, 0))] }
        if minor > 0 || p.patch == nil { return [low, Comparator(op: .lt, version: Partial.pre0(0, minor + 1, 0))] }
        return [low, Comparator(op: .lt, version: Partial.pre0(0, 0, p.patch! + 1))]
    }
}
