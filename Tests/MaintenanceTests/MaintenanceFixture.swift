import Foundation
import GRDB
import LifecycleCore
import LifecycleStore
import Logging
import StoreTestSupport

/// A fresh data directory with a copy of the sample catalog, per test; the folders it makes are removed by `remove()`.
struct MaintenanceFixture {
    static let sampleCatalog = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/catalog").path

    let base: String
    let root: String
    let service: LifecycleService
    /// nil: the data directory's SQLite file.
    let location: StoreLocation?
    private let schema: TestSchema?

    /// On PostgreSQL, a schema of its own on the test server, dropped by `remove()`.
    init(store: TestStore = .sqlite) throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("lc-maint-\(UUID().uuidString.prefix(8))").path
        root = base + "/data"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sampleCatalog, toPath: root + "/catalog")
        schema = try store.makeSchema()
        location = schema?.location
        do {
            service = try LifecycleService(dataDirectory: root, logger: Self.quiet, observer: nil, location: location)
        } catch {
            schema?.drop()
            throw error
        }
        // A strong secret, 0600, as `init` makes it.
        _ = FileManager.default.createFile(atPath: root + "/jwt-secret", contents: Data((String(repeating: "ab", count: 32) + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        chmod(root, 0o750)
    }

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Runs SQL (several statements allowed) on the store, in one transaction: a state no rule makes.
    func execute(_ sql: String) throws {
        if let schema { return try schema.run(sql) }
        try service.database.pool.write { db in try db.execute(sql: sql) }
    }

    func path(_ relative: String) -> String { base + "/" + relative }
    func pluginFolder(_ user: String, _ slug: String) -> String { root + "/plugins/\(user)/\(slug)" }
    func remove() {
        if let schema {
            service.database.close()
            schema.drop()
        }
        try? FileManager.default.removeItem(atPath: base)
    }
}
