import Foundation
import Testing
@testable import PluginCatalog

@Suite("SemanticVersion", .timeLimit(.minutes(10)))
struct SemanticVersionTests {
    @Test("parses and prints back", arguments: [
        "0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92",
        "1.0.0-alpha+001", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "1.0.0+21AF26D3----117B344092BD",
        "1.0.0-x-y-z.--",
    ])
    func roundTrip(text: String) throws {
        #expect(try SemanticVersion(parsing: text).description == text)
    }

    @Test func fields() throws {
        let v = try SemanticVersion(parsing: "1.2.3-rc.1+build.5")
        #expect(v.major == 1 && v.minor == 2 && v.patch == 3)
        #expect(v.prerelease == ["rc", "1"])
        #expect(v.build == ["build", "5"])
    }

    @Test("refuses what SemVer 2.0.0 refuses", arguments: [
        "", "1", "1.2", "1.2.3.4", "v1.2.3", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3+", "1.2.3-01",
        "1.2.3-alpha..1", "1.2.3-al$pha", " 1.2.3", "1.2.3 ", "-1.2.3", "+1.2.3", "1.2.-3", "a.b.c",
        "99999999999999999999.0.0", "1.2.3-alpha_beta",
    ])
    func invalid(text: String) {
        #expect(throws: CatalogError.invalidVersion(text)) { try SemanticVersion(parsing: text) }
        #expect(SemanticVersion(text) == nil)
    }

    /// The byte-level fast path for `MAJOR.MINOR.PATCH` answers only where the general parser
    /// agrees, and leaves everything else (pre-release, build, leading zeros, overflow) to it.
    @Test func thePlainFastPathAgreesWithTheGeneralParser() {
        var texts = ["0.0.0", "1.2.3", "10.20.30", "01.2.3", "1.02.3", "1.2.03", "00.0.0", "1.2", "1.2.3.4", "1..3", ".1.2",
                     "1.2.", "", "1.2.3-rc.1", "1.2.3+b", "v1.2.3", " 1.2.3", "1.2.3 ", "１.2.3", "9223372036854775807.0.0",
                     "9223372036854775808.0.0", "99999999999999999999.1.1", "1.2.-3", "-1.2.3", "1.2.3\u{0}"]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.-+a")
        for _ in 0..<2_000 {
            texts.append(String((0..<Int.random(in: 1...9, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        var plainCount = 0
        for text in texts {
            let general = SemanticVersion.parseGeneral(Substring(text))
            if let plain = SemanticVersion.plainRelease(Substring(text)) {
                plainCount += 1
                #expect(plain == general, "\(text)")
                #expect(plain.description == text, "\(text)")
            } else if let general {
                // Left to the general parser: only versions that are not plain.
                #expect(general.isPrerelease || !general.build.isEmpty, "\(text) is plain but the fast path refused it")
            }
            #expect(SemanticVersion(text) == general, "\(text)")
        }
        #expect(plainCount >= 3)
    }

    /// SemVer 2.0.0 §11's example, plus numeric order that string sorting gets wrong.
    @Test func precedence() throws {
        let ordered = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0", "1.0.9", "1.0.10", "1.0.29", "1.1.0", "1.10.0", "2.0.0", "2.1.0", "2.1.1", "10.0.0",
        ].map { SemanticVersion($0)! }
        for i in ordered.indices {
            for j in ordered.indices {
                #expect((ordered[i] < ordered[j]) == (i < j), "\(ordered[i]) vs \(ordered[j])")
            }
        }
        #expect(ordered.shuffled().sorted() == ordered)
    }

    @Test func buildMetadataIgnoredForOrderButNotForIdentity() throws {
        let a = SemanticVersion("1.0.0+a")!, b = SemanticVersion("1.0.0+b")!
        #expect(!(a < b) && !(b < a))
        #expect(a.comparePrecedence(b) == 0)
        #expect(a != b)
        #expect(SemanticVersion("1.0.0-alpha+1")! < SemanticVersion("1.0.0")!)
    }

    @Test func codableAsString() throws {
        let data = try JSONEncoder().encode([SemanticVersion("1.0.10-rc.1")!])
        #expect(String(decoding: data, as: UTF8.self) == #"["1.0.10-rc.1"]"#)
        #expect(try JSONDecoder().decode([SemanticVersion].self, from: data) == [SemanticVersion("1.0.10-rc.1")!])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([SemanticVersion].self, from: Data(#"["1.0"]"#.utf8)) }
    }
}
