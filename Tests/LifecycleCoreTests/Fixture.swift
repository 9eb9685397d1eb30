import Foundation
import LifecycleCore
@testable import LifecycleStore
import Logging
import StoreTestSupport

/// A fresh data directory with a copy of the sample catalog, per test; on PostgreSQL, a schema of its own.
struct Fixture {
    let root: String
    let service: LifecycleService
    /// nil: the data directory's SQLite file.
    let location: StoreLocation?
    private let schema: TestSchema?

    static let sampleCatalog = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/catalog").path

    init(store: TestStore = .sqlite) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lc-core-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sampleCatalog, toPath: root + "/catalog")
        schema = try store.makeSchema()
        location = schema?.location
        service = try Self.openService(root: root, location: location, leases: .process)
    }

    /// Another service on the same data directory and store (another host, with `leases`).
    func openService(leases: LeaseSettings = .process) throws -> LifecycleService {
        try Self.openService(root: root, location: location, leases: leases)
    }

    private static func openService(root: String, location: StoreLocation?, leases: LeaseSettings) throws -> LifecycleService {
        try LifecycleService(dataDirectory: root, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                             observer: nil, leases: leases, location: location)
    }

    /// Writes a lease row as a killed process would have left it.
    func insert(_ lease: OperationLease) throws {
        _ = try service.database.write { db in
            try db.execute("""
                INSERT INTO operation_lease (user_id, plugin_slug, operation_id, operation, owner, owner_host, generation, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(lease.userID), .text(lease.pluginSlug), .text(lease.operationID), .text(lease.operation),
                      .text(lease.owner), .text(lease.ownerHost), .integer(lease.generation), .real(lease.expiresAt)])
        }
    }

    /// Runs one statement in a write transaction (a state no rule makes, built by hand).
    func execute(_ sql: String) throws {
        _ = try service.database.write { db in try db.execute(sql, []) }
    }

    /// The first column of the first row of `sql`, as an integer.
    func integer(_ sql: String) throws -> Int64? {
        try service.database.read { db in try db.one(sql, []) { try $0.integer(0) } }
    }

    func pluginFolder(_ user: String, _ slug: String) -> String { root + "/plugins/\(user)/\(slug)" }

    func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    func stagingEntries() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: root + "/staging")) ?? []
    }

    func remove() {
        if let schema {
            try? service.database.closeConnections()
            schema.drop()
        }
        try? FileManager.default.removeItem(atPath: root)
    }
}
