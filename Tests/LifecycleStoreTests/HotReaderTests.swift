import Foundation
import GRDB
@testable import LifecycleStore
import Testing

/// The hot routes' reads through SQLite's C API: the same values as GRDB, one snapshot per read,
/// one connection per thread with its statements prepared once, and schema changes picked up.
@Suite(.timeLimit(.minutes(10))) struct HotReaderTests {
    func openDatabase(migrated: Bool = true) throws -> (LifecycleDatabase, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lc-hot-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try LifecycleDatabase(path: dir + "/lifecycle.sqlite")
        if migrated { try db.migrate() }
        return (db, dir)
    }

    func plugin(_ user: String, _ slug: String, version: String = "1.0.0") -> PluginRow {
        PluginRow(id: "\(user)_\(slug)", userID: user, pluginSlug: slug, name: "Name of \(slug)", version: version,
                  description: "ünïcode ✓", author: nil, scope: "", bundleLocation: nil, manifestJSON: #"{"modules":[{"name":"M1"}]}"#,
                  operationID: "op", installedAt: "2026-12-01T10:00:00.123Z", updatedAt: "2026-12-02T10:00:00.000Z")
    }

    func module(_ plugin: PluginRow, _ name: String) -> ModuleRow {
        ModuleRow(id: "\(plugin.id)_\(name)", pluginID: plugin.id, userID: plugin.userID, name: name, displayName: nil,
                  description: "d", icon: nil, category: "c", priority: 3, props: "{}", configFields: nil,
                  requiredServices: nil, layout: nil, tags: #"["x"]"#, createdAt: "t", updatedAt: "t")
    }

    func put(_ db: LifecycleDatabase, _ row: PluginRow, modules: [String], files: [(String, Int64)]) throws {
        let operation = "op-\(row.id)-\(UUID().uuidString)"
        _ = try db.acquireLease(OperationLease(userID: row.userID, pluginSlug: row.pluginSlug, operationID: operation,
                                               operation: "install", owner: "1:1", expiresAt: 1e12), now: 0) { _ in true }
        try db.commitPlugin(InstalledPlugin(plugin: row, modules: modules.map { module(row, $0) },
                                            files: files.map { InstalledFileRow(pluginID: row.id, path: $0.0, size: $0.1, sha256: "h-\($0.0)") }),
                            audit: AuditEventRow(at: "t", actor: row.userID, userID: row.userID, pluginSlug: row.pluginSlug,
                                                 action: "install", fromVersion: nil, toVersion: row.version, outcome: "success",
                                                 requestID: nil),
                            releasing: operation)
    }

    /// Varied rows: a disabled plugin and module, NULL and empty optional columns, non-ASCII text,
    /// a large size, a lease with a fractional expiry, a user whose id extends another's.
    func seed(_ db: LifecycleDatabase) throws {
        try put(db, plugin("u", "a_b"), modules: ["M2", "M1"], files: [("z.js", 1 << 40), ("a/b.js", 0)])
        try put(db, plugin("u", "c", version: "2.0.0-beta.1"), modules: ["N"], files: [("ç.js", 7)])
        try put(db, plugin("u_a", "x"), modules: ["O"], files: [("o.js", 1)])
        try db.pool.write { db in
            try db.execute(sql: "UPDATE plugin SET enabled = 0 WHERE id = 'u_c'")
            try db.execute(sql: "UPDATE module SET enabled = 0 WHERE id = 'u_a_b_M2'")
        }
        _ = try db.acquireLease(OperationLease(userID: "u", pluginSlug: "c", operationID: "pending", operation: "update",
                                               owner: "123:456", expiresAt: 1_800_000_000.25), now: 0) { _ in true }
    }

    /// The records' column lists are their tables' columns in table order: `SELECT *` and the
    /// lists read the same positions.
    @Test func columnListsFollowTheTables() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        func tableColumns(_ table: String) throws -> [String] {
            try db.pool.read { db in try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String } }
        }
        #expect(try tableColumns("operation_lease") == OperationLease.columns.map(\.stringValue))
        #expect(try tableColumns("plugin") == PluginRow.columns.map(\.stringValue))
        #expect(try tableColumns("module") == ModuleRow.columns.map(\.stringValue))
        #expect(try tableColumns("installed_file") == InstalledFileRow.columns.map(\.stringValue))
        #expect(try tableColumns("audit_event") == AuditEventRow.columns.map(\.stringValue))
        #expect(try tableColumns("share") == ShareRow.columns.map(\.stringValue))
    }

    /// The hot statements, GRDB's records, and rows read by column name all agree on the same rows.
    @Test func hotReadsAgreeWithGRDB() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try seed(db)
        let byName = try db.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM operation_lease ORDER BY user_id, plugin_slug").map { row in
                OperationLease(userID: row["user_id"], pluginSlug: row["plugin_slug"], operationID: row["operation_id"],
                               operation: row["operation"], owner: row["owner"], expiresAt: row["expires_at"],
                               ownerHost: row["owner_host"], generation: row["generation"])
            }
        }
        #expect(try db.allLeases() == byName)
        for user in ["u", "u_a", "nobody"] {
            let hot = try db.hotReader!.leasesAndHealthRows(userID: user)
            let grdb = try db.leasesAndHealthRows(userID: user)
            #expect(hot.leases == grdb.leases && hot.plugins == grdb.plugins, "\(user)")
            #expect(hot.leases == byName.filter { $0.userID == user })
            #expect(try db.hotReader!.installedVersions(userID: user) == db.installedVersions(userID: user))
            for slug in ["a_b", "c", "x", "missing"] {
                let one = try db.hotReader!.leaseAndHealthRows(userID: user, slug: slug)
                #expect(one.lease == byName.first { $0.userID == user && $0.pluginSlug == slug })
                #expect(one.plugin == grdb.plugins.first { $0.pluginSlug == slug }, "\(user)/\(slug)")
                // The whole GRDB records, decoded by name through Codable's keys, say the same.
                let whole = try db.pool.read { db in
                    try PluginRow.filter(Column("user_id") == user && Column("plugin_slug") == slug).fetchOne(db).map { plugin in
                        InstalledPlugin(plugin: plugin,
                                        modules: try ModuleRow.filter(Column("plugin_id") == plugin.id).order(Column("id")).fetchAll(db),
                                        files: try InstalledFileRow.filter(Column("plugin_id") == plugin.id).order(Column("path")).fetchAll(db))
                    }
                }
                #expect(one.plugin == whole?.healthRows)
            }
        }
        let u = try db.hotReader!.leasesAndHealthRows(userID: "u").plugins
        #expect(u.map(\.pluginSlug) == ["a_b", "c"] && u.map(\.enabled) == [true, false])
        #expect(u[0].files.map(\.size) == [0, 1 << 40] && u[0].disabledModuleIDs == ["u_a_b_M2"])
        #expect(u[1].files.map(\.path) == ["ç.js"] && u[1].version == "2.0.0-beta.1")
    }

    /// A read sees the state committed when it began until it commits, whatever is written meanwhile.
    @Test func aReadSeesOneCommittedStateUntilItEnds() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try put(db, plugin("u", "p"), modules: ["M1"], files: [("a.js", 1)])
        let (before, after) = try db.hotReader!.read { snapshot in
            let before = (try snapshot.lease(userID: "u", slug: "p"), try snapshot.healthRows(userID: "u", slug: "p"))
            try db.pool.write { db in
                try db.execute(sql: "UPDATE plugin SET version = '2.0.0' WHERE id = 'u_p'")
                try db.execute(sql: "INSERT INTO installed_file VALUES ('u_p', 'b.js', 2, 'h')")
                try db.execute(sql: "INSERT INTO operation_lease VALUES ('u', 'p', 'op2', 'update', '1:1', 1e12, 'h1', 7)")
            }
            // GRDB's own readers already see the commit; this transaction does not.
            #expect(try db.healthRows(userID: "u", slug: "p")?.version == "2.0.0")
            return (before, (try snapshot.lease(userID: "u", slug: "p"), try snapshot.healthRows(userID: "u", slug: "p")))
        }
        #expect(before.0 == nil && after.0 == nil)
        #expect(before.1 == after.1 && after.1?.version == "1.0.0" && after.1?.files.map(\.path) == ["a.js"])
        let now = try db.hotReader!.leaseAndHealthRows(userID: "u", slug: "p")
        #expect(now.lease?.operationID == "op2" && now.plugin?.version == "2.0.0" && now.plugin?.files.map(\.path) == ["a.js", "b.js"])
    }

    /// While a writer flips a plugin between two states, each in one transaction, every read sees
    /// one of the two whole, never a mix.
    @Test func readsDuringCommitsNeverMixTwoStates() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try put(db, plugin("u", "p"), modules: ["M1"], files: [("a.js", 1)])
        let stop = Flag()
        let writer = Thread {
            var second = false
            while !stop.isSet {
                second.toggle()
                try? db.pool.write { db in
                    try db.execute(sql: "UPDATE plugin SET version = ? WHERE id = 'u_p'", arguments: [second ? "2.0.0" : "1.0.0"])
                    if second {
                        try db.execute(sql: "INSERT INTO installed_file VALUES ('u_p', 'b.js', 2, 'h')")
                        try db.execute(sql: "INSERT INTO module (id, plugin_id, user_id, name, created_at, updated_at) VALUES ('u_p_M2', 'u_p', 'u', 'M2', 't', 't')")
                        try db.execute(sql: "INSERT INTO operation_lease VALUES ('u', 'p', 'op2', 'update', '1:1', 1e12, 'h1', 7)")
                    } else {
                        try db.execute(sql: "DELETE FROM installed_file WHERE path = 'b.js'")
                        try db.execute(sql: "DELETE FROM module WHERE name = 'M2'")
                        try db.execute(sql: "DELETE FROM operation_lease")
                    }
                }
            }
            stop.finished()
        }
        writer.start()
        for _ in 0..<400 {
            let read = try db.hotReader!.leaseAndHealthRows(userID: "u", slug: "p")
            let plugin = try #require(read.plugin)
            let state = "\(plugin.version) \(plugin.moduleNames) \(plugin.files.map(\.path)) \(read.lease?.operationID ?? "-")"
            #expect(state == "1.0.0 [\"M1\"] [\"a.js\"] -" || state == "2.0.0 [\"M1\", \"M2\"] [\"a.js\", \"b.js\"] op2", "\(state)")
        }
        stop.set()
        stop.waitFinished()
    }

    /// One connection per thread, the same one for every read on that thread.
    @Test func eachThreadReadsThroughItsOwnConnection() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let here = try db.hotReader!.statistics().connection
        _ = try db.hotReader!.leaseAndHealthRows(userID: "u", slug: "p")
        #expect(try db.hotReader!.statistics().connection == here)
        let others = Outcomes()
        let threads = (0..<2).map { _ in
            Thread {
                let first = try? db.hotReader!.statistics().connection
                _ = try? db.hotReader!.installedVersions(userID: "u")
                let second = try? db.hotReader!.statistics().connection
                others.add(first != nil && first == second ? "\(first!)" : "mismatch")
            }
        }
        for thread in threads { thread.start() }
        while others.all.count < 2 { usleep(1_000) }
        #expect(Set(others.all).count == 2 && !others.all.contains("mismatch") && !others.all.contains("\(here)"), "\(others.all) vs \(here)")
    }

    /// Statements are prepared when the connection opens and then only run: requests prepare nothing.
    @Test func statementsArePreparedOnceAndReused() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try seed(db)
        let start = try db.hotReader!.statistics()
        for _ in 0..<50 {
            _ = try db.hotReader!.leaseAndHealthRows(userID: "u", slug: "a_b")
            _ = try db.hotReader!.leasesAndHealthRows(userID: "u")
            _ = try db.hotReader!.installedVersions(userID: "u")
            try db.hotReader!.ping()
        }
        let end = try db.hotReader!.statistics()
        #expect(end.connection == start.connection && end.prepared == start.prepared && end.reprepared == 0)
        // status: BEGIN, lease, plugin, modules, files, COMMIT; installed the same; available 1; health 1.
        #expect(end.runs - start.runs == 50 * (6 + 6 + 1 + 1))
    }

    /// A migration committed by another connection re-prepares the statements inside SQLite, on
    /// the same connection, and the reads stay right.
    @Test func aSchemaChangeIsPickedUpByAnOpenConnection() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try seed(db)
        let before = try db.hotReader!.statistics()
        _ = try db.hotReader!.leaseAndHealthRows(userID: "u", slug: "a_b")
        try db.pool.write { db in
            try db.execute(sql: "ALTER TABLE plugin ADD COLUMN note TEXT")
            try db.execute(sql: "CREATE INDEX plugin_on_version ON plugin(version)")
        }
        let read = try db.hotReader!.leaseAndHealthRows(userID: "u", slug: "a_b")
        #expect(read.plugin == (try db.leaseAndHealthRows(userID: "u", slug: "a_b")).plugin && read.plugin != nil)
        let after = try db.hotReader!.statistics()
        #expect(after.connection == before.connection && after.prepared == before.prepared && after.reprepared > 0)
    }

    /// A database nobody migrated yet is migrated (by GRDB) before the hot statements are prepared.
    @Test func anUnmigratedDatabaseIsMigratedBeforeTheHotConnectionReads() throws {
        let (db, dir) = try openDatabase(migrated: false); defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try !db.schemaState().isCurrent)
        #expect(try db.hotReader!.leasesAndHealthRows(userID: "u").plugins.isEmpty)
        #expect(try db.schemaState().isCurrent)
    }

    /// The hot connections close before GRDB's writer, which closes last and folds the WAL back
    /// into the file, as with GRDB alone.
    @Test func closingTheDatabaseLeavesNoWAL() throws {
        let dir = try { () throws -> String in
            let (db, dir) = try openDatabase()
            try put(db, plugin("u", "p"), modules: ["M1"], files: [("a.js", 1)])
            #expect(try db.hotReader!.leaseAndHealthRows(userID: "u", slug: "p").plugin != nil)
            #expect(FileManager.default.fileExists(atPath: dir + "/lifecycle.sqlite-wal"))
            return dir
        }()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(!FileManager.default.fileExists(atPath: dir + "/lifecycle.sqlite-wal"))
    }

    /// Closed connections are opened anew on the next read, on the file at the path then (a
    /// restore swaps files only while no connection is open).
    @Test func aReadAfterCloseOpensTheFileNowAtThePath() throws {
        let (db, dir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try put(db, plugin("u", "p"), modules: [], files: [])
        let (other, otherDir) = try openDatabase(); defer { try? FileManager.default.removeItem(atPath: otherDir) }
        try put(other, plugin("u", "p", version: "9.0.0"), modules: [], files: [])
        try other.closeConnections()
        try LifecycleDatabase.makeSelfContained(path: otherDir + "/lifecycle.sqlite")
        #expect(try db.hotReader!.leaseAndHealthRows(userID: "u", slug: "p").plugin?.version == "1.0.0")

        try db.closeConnections()
        try LifecycleDatabase.makeSelfContained(path: dir + "/lifecycle.sqlite")
        #expect(rename(otherDir + "/lifecycle.sqlite", dir + "/lifecycle.sqlite") == 0)
        #expect(try db.hotReader!.leaseAndHealthRows(userID: "u", slug: "p").plugin?.version == "9.0.0")
    }
}

/// A flag another thread sets, and the writer's "I stopped".
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var done = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
    func finished() { lock.withLock { done = true } }
    func waitFinished() { while !lock.withLock({ done }) { usleep(1_000) } }
}
