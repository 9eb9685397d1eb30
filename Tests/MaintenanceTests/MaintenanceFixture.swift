import Foundation
import LifecycleCore
import Logging

/// A fresh data directory with a copy of the sample catalog, per test; the folders it makes are removed by `remove()`.
struct MaintenanceFixture {
    static let sampleCatalog = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/catalog").path

    let base: String
    let root: String
    let service: LifecycleService

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("lc-maint-\(UUID().uuidString.prefix(8))").path
        root = base + "/data"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sampleCatalog, toPath: root + "/catalog")
        service = try LifecycleService(dataDirectory: root, logger: Self.quiet)
        // A strong secret, 0600, as `init` makes it.
        _ = FileManager.default.createFile(atPath: root + "/jwt-secret", contents: Data((String(repeating: "ab", count: 32) + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        chmod(root, 0o750)
    }

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func path(_ relative: String) -> String { base + "/" + relative }
    func pluginFolder(_ user: String, _ slug: String) -> String { root + "/plugins/\(user)/\(slug)" }
    func remove() { try? FileManager.default.removeItem(atPath: base) }
}
