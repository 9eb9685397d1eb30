import Foundation
@testable import PluginCatalog

/// A throw-away catalog folder for one test, seeded from the sample catalog in deploy/catalog.
final class TempCatalog {
    static let sample: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/catalog")

    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Copies `sample/{folder}/{version}` to `root/{asFolder ?? folder}/{asVersion ?? version}`.
    @discardableResult
    func copy(_ folder: String, _ version: String, as asFolder: String? = nil, version asVersion: String? = nil) throws -> URL {
        let target = root.appendingPathComponent(asFolder ?? folder).appendingPathComponent(asVersion ?? version)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.sample.appendingPathComponent(folder).appendingPathComponent(version), to: target)
        return target
    }

    func write(_ text: String, to relative: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Rewrites a package's plugin.json through a JSON object edit.
    func editManifest(_ relative: String, _ edit: (inout [String: Any]) -> Void) throws {
        let url = root.appendingPathComponent(relative).appendingPathComponent("plugin.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: url)
    }

    func load() -> CatalogIndex { CatalogIndex.load(root: root) }
}
