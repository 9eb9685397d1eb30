import Foundation
import GRDB
import Posix
@testable import LifecycleStore
import StoreTestSupport
import Testing

@Suite(.timeLimit(.minutes(10))) struct StoreTests {
    func openDatabase() throws -> (LifecycleDatabase, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lc-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try LifecycleDatabase(path: dir + "/lifecycle.sqlite")
        try db.migrate()
        return (db, dir)
    }

    /// A migrated database on `store` (PostgreSQL: a schema of its own) and what removes it.
    func openDatabase(_ store: TestStore) throws -> (LifecycleDatabase, () -> Void) {
        guard store == .postgres else {
            let (db, dir) = try openDatabase()
            return (db, { try? FileManager.default.removeItem(atPath: dir) })
        }
        let schema = try PostgresTestServer.makeSchema()
        do {
            let db = try LifecycleDatabase(location: schema.location)
            try db.migrate()
            return (db, { try? db.closeConnections(); schema.drop() })
        } catch {
            schema.drop()
            throw error
        }
    }

    func count(_ db: LifecycleDatabase, _ table: String) throws -> Int64? {
        try db.read { try $0.one("SELECT count(*) FROM \(table)", []) { try $0.integer(0) } }
    }

    func plugin(_ user: String, _ slug: String, operation: String = "op") -> PluginRow {
        PluginRow(id: "\(user)_\(slug)", userID: user, pluginSlug: slug, name: slug, version: "1.0.0",
                  description: nil, author: nil, scope: nil, bundleLocation: nil, manifestJSON: "{}",
                  operationID: operation, installedAt: "t", updatedAt: "t")
    }

    func lease(_ user: String, _ slug: String, _ id: String, owner: String = "1:1", expires: Double = 1e12) -> OperationLease {
        OperationLease(userID: user, pluginSlug: slug, operationID: id, operation: "install", owner: owner, expiresAt: expires)
    }

    func audit(_ user: String) -> AuditEventRow {
        AuditEventRow(at: "t", actor: user, userID: user, pluginSlug: "p", action: "install", fromVersion: nil,
                      toVersion: "1.0.0", outcome: "success", requestID: nil)
    }

    @Test func walAndForeignKeysOnEveryConnection() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let mode = try db.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        // Several concurrent readers force several connections; each must have the pragmas.
        let results = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let values = try? db.pool.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA foreign_keys")!, try Int.fetchOne(db, sql: "PRAGMA synchronous")!)
            }
            results.add("\(values.map { "\($0.0),\($0.1)" } ?? "error")")
        }
        #expect(results.all.allSatisfy { $0 == "1,2" }, "foreign_keys=1 and synchronous=FULL(2): \(results.all)")
        let writer = try db.pool.write { try Int.fetchOne($0, sql: "PRAGMA foreign_keys") }
        #expect(writer == 1)
    }

    @Test(arguments: TestStore.all) func commitCascadesAndKeepsEnabledFlags(store: TestStore) throws {
        let (db, remove) = try openDatabase(store); defer { remove() }
        var row = plugin("u1", "p")
        let module = ModuleRow(id: "u1_p_M", pluginID: row.id, userID: "u1", name: "M", displayName: nil, description: nil,
                               icon: nil, category: nil, priority: nil, props: nil, configFields: nil,
                               requiredServices: nil, layout: nil, tags: nil, createdAt: "t", updatedAt: "t")
        let file = InstalledFileRow(pluginID: row.id, path: "a.js", size: 3, sha256: String(repeating: "0", count: 64))
        _ = try db.acquireLease(lease("u1", "p", "op1"), now: 0) { _ in true }
        try db.commitPlugin(InstalledPlugin(plugin: row, modules: [module], files: [file]), audit: audit("u1"), releasing: "op1")
        try db.write { db in
            try db.execute("UPDATE module SET enabled = ?", [.bool(false)])
            try db.execute("UPDATE plugin SET enabled = ?", [.bool(false)])
        }

        row.version = "1.1.0"
        _ = try db.acquireLease(lease("u1", "p", "op2"), now: 0) { _ in true }
        try db.commitPlugin(InstalledPlugin(plugin: row, modules: [module], files: [file]), audit: audit("u1"), releasing: "op2")
        let after = try #require(try db.installedPlugin(userID: "u1", slug: "p"))
        #expect(after.plugin.version == "1.1.0" && !after.plugin.enabled && !after.modules[0].enabled)

        _ = try db.acquireLease(lease("u1", "p", "op3"), now: 0) { _ in true }
        try db.commitRemoval(pluginID: row.id, audit: audit("u1"), releasing: "op3")
        let counts = [try count(db, "module"), try count(db, "installed_file")]
        #expect(counts == [0, 0], "module and file rows go by ON DELETE CASCADE")
        #expect(try db.auditEvents(userID: "u1", limit: 10, before: nil).count == 3)
    }

    @Test(arguments: TestStore.all) func leaseIsExclusiveUntilOwnerDiesOrExpires(store: TestStore) throws {
        let (db, remove) = try openDatabase(store); defer { remove() }
        #expect(try db.acquireLease(lease("u1", "p", "a"), now: 100) { _ in true } == nil)
        #expect(throws: LeaseError.held(operation: "install")) {
            try db.acquireLease(lease("u1", "p", "b"), now: 100) { _ in true }
        }
        // Another user or plugin is independent.
        #expect(try db.acquireLease(lease("u2", "p", "c"), now: 100) { _ in true } == nil)
        // A dead owner's lease is handed over and returned for rollback.
        let stale = try db.acquireLease(lease("u1", "p", "d"), now: 100) { _ in false }
        #expect(stale?.operationID == "a")
        // An expired one too, even if its owner looks alive.
        #expect(try db.acquireLease(lease("u3", "p", "x", expires: 150), now: 100) { _ in true } == nil)
        let expired = try db.acquireLease(lease("u3", "p", "y"), now: 200) { _ in true }
        #expect(expired?.operationID == "x")
    }

    @Test(arguments: TestStore.all) func commitWithALostLeaseIsRefused(store: TestStore) throws {
        let (db, remove) = try openDatabase(store); defer { remove() }
        #expect(throws: LeaseError.lost) {
            try db.commitPlugin(InstalledPlugin(plugin: plugin("u1", "p"), modules: [], files: []), audit: audit("u1"), releasing: "nobody")
        }
        #expect(try db.installedPlugin(userID: "u1", slug: "p") == nil)
    }

    @Test func uniqueUserAndSlug() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.pool.write { db in try plugin("u1", "p").insert(db) }
        var duplicate = plugin("u1", "p"); duplicate.id = "other"
        #expect(throws: (any Error).self) { try db.pool.write { db in try duplicate.insert(db) } }
    }

    @Test func migrationsAreIdempotentAcrossOpens() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.migrate()
        let second = try LifecycleDatabase(path: dir + "/lifecycle.sqlite")
        try second.migrate()
        let tables = try second.pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name") }
        #expect(Set(["plugin", "module", "installed_file", "audit_event", "operation_lease"]).isSubset(of: Set(tables)))
    }
}

extension StoreTests {
    func module(_ plugin: PluginRow, _ name: String) -> ModuleRow {
        ModuleRow(id: "\(plugin.id)_\(name)", pluginID: plugin.id, userID: plugin.userID, name: name, displayName: nil,
                  description: nil, icon: nil, category: nil, priority: nil, props: nil, configFields: nil,
                  requiredServices: nil, layout: nil, tags: nil, createdAt: "t", updatedAt: "t")
    }

    func put(_ db: LifecycleDatabase, _ row: PluginRow, modules: [String], files: [String]) throws {
        let operation = "op-\(row.id)"
        _ = try db.acquireLease(lease(row.userID, row.pluginSlug, operation), now: 0) { _ in true }
        try db.commitPlugin(InstalledPlugin(plugin: row, modules: modules.map { module(row, $0) },
                                            files: files.map { InstalledFileRow(pluginID: row.id, path: $0, size: 1, sha256: "h") }),
                            audit: audit(row.userID), releasing: operation)
    }

    /// `installed` reads a user's plugins with their modules and files in one go: each row comes
    /// back with its own plugin only, also next to a user whose id extends the caller's (`u`, `u_a`).
    @Test(arguments: TestStore.all) func healthRowsListOnlyTheCallersRowsGroupedByPlugin(store: TestStore) throws {
        let (db, remove) = try openDatabase(store); defer { remove() }
        try put(db, plugin("u", "a_b"), modules: ["M2", "M1"], files: ["z.js", "a/b.js"])
        try put(db, plugin("u", "c"), modules: ["N"], files: ["c.js"])
        try put(db, plugin("u_a", "x"), modules: ["O"], files: ["o.js"])
        try put(db, plugin("v", "c"), modules: ["N"], files: ["v.js"])
        _ = try db.acquireLease(lease("u", "d", "pending-op"), now: 0) { _ in true }

        let (leases, installed) = try db.leasesAndHealthRows(userID: "u")
        #expect(leases.map(\.operationID) == ["pending-op"])
        #expect(installed.map(\.pluginSlug) == ["a_b", "c"])
        #expect(installed[0].moduleNames == ["M1", "M2"])
        #expect(installed[0].files.map(\.path) == ["a/b.js", "z.js"])
        #expect(installed[1].modules.map(\.id) == ["u_c_N"])
        #expect(installed[1].files.map(\.path) == ["c.js"])
        // The same as the whole rows say, and as status's read of one plugin sees.
        for plugin in installed {
            let whole = try #require(try db.installedPlugin(userID: "u", slug: plugin.pluginSlug))
            #expect(whole.healthRows == plugin)
            #expect(try db.leaseAndHealthRows(userID: "u", slug: plugin.pluginSlug).plugin == plugin)
        }
        #expect(try db.leasesAndHealthRows(userID: "nobody").plugins.isEmpty)
    }

    /// No statement on the request path scans a table: status and installed stay flat as rows grow.
    @Test func hotQueriesSearchIndexesAndNeverScan() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let plans = try db.hotQueryPlans()
        #expect(plans.count >= 9)
        for (sql, plan) in plans {
            #expect(!plan.isEmpty, "\(sql)")
            #expect(!plan.contains { $0.hasPrefix("SCAN") }, "\(sql): \(plan)")
        }
    }
}

final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    func add(_ value: String) { lock.lock(); values.append(value); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return values }
}

extension StoreTests {
    struct Abandoned: Error {}

    /// PostgreSQL keeps a sequence change through a ROLLBACK: a restore's load that fails after
    /// copying (here: an empty backup) must not lower the audit sequence under the rows it leaves.
    @Test(.enabled(if: PostgresTestServer.runs, "no PostgreSQL server to test against (deploy/test starts one)"))
    func aFailedLoadNeverLowersTheAuditSequence() throws {
        let (db, remove) = try openDatabase(.postgres); defer { remove() }
        let (empty, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try put(db, plugin("u", "a"), modules: [], files: [])
        try put(db, plugin("u", "b"), modules: [], files: [])
        #expect(throws: Abandoned.self) {
            try db.write { target in
                try empty.read { source in try StoreCopy.copy(source, into: target) }
                throw Abandoned()
            }
        }
        try put(db, plugin("u", "c"), modules: [], files: [])
        #expect(try db.auditEvents(userID: "u", limit: 10, before: nil).count == 3, "the next audit id is a new one")
    }
}

extension StoreTests {
    /// Many writers taking and committing leases of different plugins at once: none is refused
    /// as busy (on PostgreSQL the generation is drawn outside the serializable transaction, and
    /// conflicts on shared index pages are re-run), and no generation is drawn twice.
    @Test(arguments: TestStore.all) func concurrentAcquisitionsAllSucceedWithDistinctGenerations(store: TestStore) throws {
        let (db, remove) = try openDatabase(store); defer { remove() }
        let threads = 24, each = 8
        let failures = Locked<[String]>([])
        let generations = Locked<[Int64]>([])
        let done = DispatchGroup()
        // Threads of their own (concurrentPerform would run about as many as there are cores).
        for thread in 0..<threads {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                for index in 0..<each {
                let row = plugin("u\(thread)", "p\(index)")
                let operation = "op-\(store)-\(thread)-\(index)"  // unique: the lease keeper is per process
                do {
                    let taken = try db.takeLease(lease(row.userID, row.pluginSlug, operation), isLive: { _ in true })
                    generations.withLock { $0.append(taken.lease.generation) }
                    try db.commitPlugin(InstalledPlugin(plugin: row, modules: [], files: []), audit: audit(row.userID),
                                        releasing: operation)
                } catch {
                    failures.withLock { $0.append("\(operation): \(error)") }
                }
                }
            }
        }
        done.wait()
        #expect(failures.withLock { $0 }.isEmpty)
        let drawn = generations.withLock { $0 }
        #expect(drawn.count == threads * each && Set(drawn).count == drawn.count)
        #expect(try count(db, "plugin") == Int64(threads * each))
    }
}
