import Foundation
@testable import LifecycleCore
@testable import PluginAPI
import Testing

/// The hand-written JSON of the hot path's bodies is byte for byte what Foundation's encoder
/// writes for the same values (the ETag of a body must not depend on which path wrote it).
@Suite(.timeLimit(.minutes(10))) struct HotBodyEncodingTests {
    /// Texts that need escaping, non-ASCII, and map keys whose orders differ by comparison rule.
    static let awkward = ["", "plain", "quote \" and \\ backslash", "slash / stays", "tab\tnew\nline\r",
                          "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f}", "é ü 漢字 🧩", "\u{2028}\u{2029}"]
    static let keys = ["a10", "a9", "B", "a_b", "a-b", "é", "Z", "a"]

    func expectSame<T: JSONWritable>(_ value: T, _ message: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        let foundation = JSONBody.encode(SuccessEnvelope(message: message, data: value))
        let written = JSONBody.envelope(message: message, data: value)
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: foundation, as: UTF8.self),
                sourceLocation: sourceLocation)
    }

    @Test func statusReports() {
        for (index, text) in Self.awkward.enumerated() {
            let present = index % 2 == 0
            let report = StatusReport(
                pluginSlug: "slug_\(index)", exists: present, status: present ? .healthy : .filesModified,
                pluginID: present ? "u_\(text)" : nil, version: present ? "1.0.\(index)" : nil,
                enabled: index % 3 == 0 ? nil : present, filesExist: !present,
                files: .init(expected: index * 1000 - 3, missing: present ? [] : [text, "b/c.js"], modified: [text]),
                modulesStatus: .init(allLoaded: present, loadedCount: index, expectedCount: -index))
            expectSame(report, "Plugin '\(text)' is x")
        }
    }

    @Test func installedLists() {
        var plugins: [InstalledList.Plugin] = []
        for (index, text) in Self.awkward.enumerated() {
            plugins.append(.init(pluginSlug: "s\(index)", pluginID: "u_\(text)", version: "1.\(index).0",
                                 latestVersion: index % 2 == 0 ? nil : text, updateAvailable: index % 2 == 1,
                                 enabled: index % 3 != 0, status: .modulesCorrupted, installedAt: text,
                                 modules: Array(Self.awkward.prefix(index)), disabledModules: Array(Self.awkward.suffix(index % 3))))
            expectSame(InstalledList(installedPlugins: plugins, totalCount: plugins.count), "\(index) plugins installed")
        }
        expectSame(InstalledList(installedPlugins: [], totalCount: 0))
    }

    /// status and installed with a signed bundle URL: the three added members land in key order.
    @Test func answersWithBundleLinks() {
        let bundle = BundleEntry(scope: "Scope \"q\"", location: "dist/remoteEntry.js", sha256: "ab")
        let link = BundleLink(url: "/api/plugins/s/bundles/u~1.0.0~1200~ZGlzdC8~mac/dist/remoteEntry.js?h=0123456789abcdef",
                              expiresAt: 1_733_600_400)
        let report = StatusReport(
            pluginSlug: "s", exists: true, status: .healthy, pluginID: "u_s", version: "1.0.0", enabled: true,
            filesExist: true, files: .init(expected: 7, missing: [], modified: []),
            modulesStatus: .init(allLoaded: true, loadedCount: 1, expectedCount: 1), bundle: bundle)
        expectSame(StatusAnswer(report: report, link: link), "Plugin 's' is healthy")
        expectSame(StatusAnswer(report: report, link: nil), "Plugin 's' is healthy")
        let plugins = (0..<3).map { index in
            InstalledList.Plugin(pluginSlug: "s\(index)", pluginID: "u_s\(index)", version: "1.0.0", latestVersion: nil,
                                 updateAvailable: false, enabled: true, status: .healthy, installedAt: "t",
                                 modules: ["m"], disabledModules: [], bundle: index == 1 ? nil : bundle)
        }
        let list = InstalledList(installedPlugins: plugins, totalCount: 3)
        expectSame(InstalledAnswer(list: list, links: [link, nil, link]), "3 plugins installed")
        expectSame(InstalledAnswer(list: list, links: []), "3 plugins installed")
        let written = String(decoding: JSONBody.envelope(message: "m", data: StatusAnswer(report: report, link: link)), as: UTF8.self)
        #expect(written.contains(#""bundle_url_expires_at":"2024-12-07T19:40:00.000Z""#), "\(written)")
        #expect(written.contains(#""scope":"Scope \"q\"""#), "\(written)")
    }

    @Test func availableLists() {
        var plugins: [String: AvailablePlugin] = [:]
        for (index, key) in Self.keys.enumerated() {
            let text = Self.awkward[index % Self.awkward.count]
            plugins[key] = AvailablePlugin(
                slug: key, name: text, version: "2.0.\(index)", versions: Array(Self.awkward.prefix(index)),
                description: index % 2 == 0 ? nil : text, author: index % 3 == 0 ? nil : text,
                modulesCount: index, dependencies: Dictionary(uniqueKeysWithValues: Self.keys.prefix(index).map { ($0, text) }),
                installed: index % 4 == 0 ? nil : index % 2 == 0, installedVersion: index % 4 == 1 ? "1.0.0" : nil)
            expectSame(AvailableList(availablePlugins: plugins, totalCount: plugins.count), "\(plugins.count) plugins available")
        }
    }
}
