import Testing
@testable import LifecycleCore

/// The module-name cache status uses: found by slug and version, trusted only for the same text.
@Suite(.timeLimit(.minutes(10))) struct ManifestModuleNamesTests {
    static func manifest(_ modules: [String], name: String = "Probe") -> String {
        let list = modules.map { #"{"name":"\#($0)","display_name":"\#($0)"}"# }.joined(separator: ",")
        return #"{"name":"\#(name)","slug":"probe","version":"1.0.0","modules":[\#(list)]}"#
    }

    @Test func aChangedTextUnderTheSameVersionIsDecodedAgain() {
        let cache = ManifestModuleNames(capacity: 8)
        let first = Self.manifest(["A", "B"])
        let expected = ManifestModuleNames.decode(first)
        #expect(expected == ["A", "B"], "the probe manifest must decode: \(first)")
        #expect(cache.names(slug: "probe", version: "1.0.0", manifestJSON: first) == expected)
        #expect(cache.names(slug: "probe", version: "1.0.0", manifestJSON: first) == expected)
        // Same slug and version, other text (an edited row): the entry must not answer for it.
        let edited = Self.manifest(["A", "C"])
        #expect(cache.names(slug: "probe", version: "1.0.0", manifestJSON: edited) == ManifestModuleNames.decode(edited))
        #expect(cache.names(slug: "probe", version: "1.0.0", manifestJSON: "not json") == [])
        // Canonically equivalent but different bytes (é composed / decomposed) count as different.
        #expect(!ManifestModuleNames.sameBytes("caf\u{E9}", "cafe\u{301}"))
        #expect(ManifestModuleNames.sameBytes("", "") && ManifestModuleNames.sameBytes(first, String(first)))
    }
}
