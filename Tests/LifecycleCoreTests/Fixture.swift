import Foundation
import LifecycleCore
import LifecycleStore
import Logging

/// A fresh data directory with a copy of the sample catalog, per test.
struct Fixture {
    let root: String
    let service: LifecycleService

    static let sampleCatalog = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/catalog").path

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lc-core-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sampleCatalog, toPath: root + "/catalog")
        service = try LifecycleService(dataDirectory: root, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    }

    func pluginFolder(_ user: String, _ slug: String) -> String { root + "/plugins/\(user)/\(slug)" }

    func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    func stagingEntries() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: root + "/staging")) ?? []
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
