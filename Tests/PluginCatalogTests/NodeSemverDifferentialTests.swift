import Foundation
import Testing
@testable import PluginCatalog

/// The range parser and matcher against npm's own: node-semver (Debian's `node-semver`, run by
/// `node`) answers the same generated ranges and versions, and both must agree on which ranges
/// are valid and on every version each valid range contains. deploy/test installs both; a
/// machine without them fails here, saying what to install, rather than skipping.
@Suite("VersionRange against node-semver", .timeLimit(.minutes(10)))
struct NodeSemverDifferentialTests {
    static let modulePath = "/usr/share/nodejs/semver"

    @Test func generatedRangesAgreeWithNodeSemver() throws {
        var generator = RangeGenerator(seed: 0x5EED_2026_1207)
        let versions = RangeGenerator.versions
        let ranges = (0..<2_000).map { _ in generator.range() } + RangeGenerator.edgeCases
        let npm = try NodeSemver.evaluate(ranges: ranges, versions: versions)
        try #require(npm.count == ranges.count)

        var disagreements: [String] = []
        for (range, answer) in zip(ranges, npm) {
            let ours = try? VersionRange(range)
            guard let ours else {
                if answer != nil { disagreements.append("\"\(range)\": npm accepts it, we refuse it") }
                continue
            }
            guard let answer else {
                disagreements.append("\"\(range)\": we accept it (\(ours.normalized)), npm refuses it")
                continue
            }
            for (version, npmContains) in zip(versions, answer) {
                let contains = ours.contains(SemanticVersion(version)!)
                if contains != npmContains {
                    disagreements.append("\"\(range)\" (\(ours.normalized)) on \(version): npm \(npmContains), we \(contains)")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.prefix(10))")
    }

    /// Where we are stricter on purpose: npm reads an empty range or alternative as `*` (so
    /// `1.0.0 ||` is everything) and a number after a wildcard as nothing at all. A catalog that
    /// means `*` says so. npm must still accept each, or the list no longer says anything.
    @Test func refusedOnPurposeAreRefusedHereAndAcceptedByNpm() throws {
        let ranges = RangeGenerator.refusedOnPurpose
        let npm = try NodeSemver.evaluate(ranges: ranges, versions: ["1.0.0"])
        for (range, answer) in zip(ranges, npm) {
            #expect(answer != nil, "npm accepts \"\(range)\"")
            #expect((try? VersionRange(range)) == nil, "we refuse \"\(range)\"")
        }
    }
}

/// Ranges from the grammar npm documents, with the spellings people write: operators with and
/// without a space, partial versions, wildcards in three spellings, pre-releases, hyphen ranges,
/// conjunctions and alternatives. Deterministic (SplitMix64 from a fixed seed).
struct RangeGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    private mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    private mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    static let prereleases = ["alpha", "alpha.1", "beta", "beta.2", "rc.1", "0"]

    /// Every x.y.z with parts in 0...2, and pre-releases of some of them.
    static let versions: [String] = {
        var all: [String] = []
        for major in 0...2 { for minor in 0...2 { for patch in 0...2 {
            all.append("\(major).\(minor).\(patch)")
            if (major + minor + patch) % 2 == 0 {
                all += ["alpha", "beta.2", "rc.1"].map { "\(major).\(minor).\(patch)-\($0)" }
            }
        } } }
        return all
    }()

    static let edgeCases = [
        "*", "x", "X", "1.2.3 - 2.3.4", "1.2 - 2", "* - 2", "1.2.3 - *", ">=*", "<*", ">*", "<=*",
        "^0.0.0", "^0.0", "^0", "~0", "~0.0", "^0.0.1-beta", "~1.2.3-beta.2", "~>1.2", "~> 1.2.3",
        "v1.2.3", "=v1.2.3", "1.2.3+build", ">=1.2.3+build.5", "1.2.3-rc.1+b", "01.2.3", "1.02.3",
        "1.2.x.4", "1.2.3.4", "a.b.c", ">=1.0.0 || <0.5.0", ">=0.0.0", ">=0.0.0 <1", "0.x || >=1.0.0-0",
        "^0.x", "^0.0.0-0 ^0.X", ">=0.0.2-0 || =x", ">=0.0.0-0 <0.0.1",
        ">= 1.0.0", "> 1", "< 2 >= 1", "1.2.3 -2.0.0", "1.2.3- 2.0.0", "1.2.3 - 2.0.0 - 3.0.0",
        "^1.2.3 - 2.0.0", ">=1.2.3-alpha <1.2.3", "<1.2.3-0", "=1.2.3-0", ">1.2.3-alpha.1",
        "\t1.2.3", "1.2.3\t|| 2.0.0", "^ 1.2.3", "~ 1.2", "=1", "=1.x",
    ]

    static let refusedOnPurpose = ["", " ", "||", "1.0.0 ||", "|| 1.0.0", "1.x.2", "x.1", "*.2.3"]

    private mutating func number() -> String { String(below(3)) }
    private mutating func wildcard() -> String { pick(["x", "X", "*"]) }

    private mutating func partial() -> String {
        switch below(10) {
        case 0: return wildcard()
        case 1: return number()
        case 2: return "\(number()).\(number())"
        case 3: return "\(number()).\(wildcard())"
        case 4: return "\(number()).\(number()).\(wildcard())"
        case 5: return "\(number()).\(number()).\(number())-\(pick(Self.prereleases))"
        default: return "\(number()).\(number()).\(number())"
        }
    }

    private mutating func comparator() -> String {
        let op = pick(["", "", "=", "^", "^", "~", "~", ">=", ">", "<", "<=", "~>"])
        let space = op.isEmpty || below(6) != 0 ? "" : " "
        return op + space + partial()
    }

    private mutating func alternative() -> String {
        if below(6) == 0 { return "\(partial()) - \(partial())" }
        return (0...below(3)).map { _ in comparator() }.joined(separator: " ")
    }

    mutating func range() -> String {
        (0...(below(4) == 0 ? 1 : 0)).map { _ in alternative() }.joined(separator: " || ")
    }
}

/// node-semver's answers: per range, nil when `validRange` refuses it, else `satisfies` for each version.
enum NodeSemver {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static let script = """
        const semver = require(process.argv[1]);
        const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
        const out = input.ranges.map(r => semver.validRange(r) === null ? null
            : input.versions.map(v => semver.satisfies(v, r)));
        process.stdout.write(JSON.stringify(out));
        """

    static func evaluate(ranges: [String], versions: [String]) throws -> [[Bool]?] {
        guard let node = ["/usr/bin/node", "/usr/local/bin/node"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
              FileManager.default.fileExists(atPath: NodeSemverDifferentialTests.modulePath + "/package.json") else {
            throw Missing(description: "node and node-semver are needed: apt-get install nodejs node-semver")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: node)
        process.arguments = ["-e", script, NodeSemverDifferentialTests.modulePath]
        // Debian's node modules (semver needs its lru-cache) resolve from here.
        process.environment = ["NODE_PATH": "/usr/share/nodejs", "PATH": "/usr/bin:/bin"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let request = try JSONSerialization.data(withJSONObject: ["ranges": ranges, "versions": versions])
        // Written from another thread: a pipe holds 64 KiB and node answers only after reading all.
        let writer = Thread {
            input.fileHandleForWriting.write(request)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Missing(description: "node exited \(process.terminationStatus)") }
        let decoded = try JSONSerialization.jsonObject(with: answer) as? [Any] ?? []
        return decoded.map { $0 as? [Bool] }
    }
}
