import Foundation
import Testing
@testable import PluginCatalog

@Suite("PluginSlug", .timeLimit(.minutes(10)))
struct PluginSlugTests {
    @Test("canonicalises case and hyphens", arguments: [
        ("braindrive-network", "braindrive_network"),
        ("BrainDrive_Network", "braindrive_network"),
        ("braindrive_network", "braindrive_network"),
        ("BRAINDRIVE-NETWORK", "braindrive_network"),
        ("a", "a"),
        ("0day", "0day"),
        ("a-", "a_"),
        ("x" + String(repeating: "y", count: 63), "x" + String(repeating: "y", count: 63)),
    ])
    func valid(raw: String, canonical: String) throws {
        #expect(try PluginSlug(raw).value == canonical)
    }

    @Test("refuses unsafe or malformed slugs", arguments: [
        "", "..", ".", "%2e%2e", "a/b", "/etc", "a\u{0}b", "\u{0}", "a.b", "_a", "-a",
        " braindrive", "braindrive ", "brain drive", "a\nb", "a\\b", "café",
        "\u{212A}elvin",                              // Kelvin sign: Unicode-lowercases to 'k'
        String(repeating: "a", count: 65),
    ])
    func invalid(raw: String) {
        #expect(throws: CatalogError.invalidSlug(raw)) { try PluginSlug(raw) }
    }

    @Test("64 characters is the limit")
    func length() throws {
        #expect(try PluginSlug(String(repeating: "a", count: 64)).value.count == 64)
    }

    @Test("reserved words are flagged, also in another spelling", arguments: [
        "available", "installed", "updates", "shared", "users", "audit", "health", "metrics", "Available", "HEALTH",
    ])
    func reserved(raw: String) throws {
        #expect(try PluginSlug(raw).isReserved)
    }

    @Test func ordinarySlugIsNotReserved() throws {
        #expect(try !PluginSlug("braindrive-network").isReserved)
        #expect(PluginSlug.reservedWords.count == 8)
    }

    @Test func codableAsCanonicalString() throws {
        let decoded = try JSONDecoder().decode([PluginSlug].self, from: Data(#"["BrainDrive-Chat"]"#.utf8))
        #expect(decoded.map(\.value) == ["braindrive_chat"])
        #expect(String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self) == #"["braindrive_chat"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([PluginSlug].self, from: Data(#"["../x"]"#.utf8)) }
    }
}
