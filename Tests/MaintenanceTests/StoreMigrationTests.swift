import Foundation
import GRDB
import LifecycleCore
import LifecycleStore
@testable import Maintenance
import StoreTestSupport
import Testing

/// `migrate-store`'s copy of a SQLite data directory into PostgreSQL (``StoreCopy``, ``StoreMigration``).
@Suite(.timeLimit(.minutes(10)),
       .enabled(if: PostgresTestServer.runs,
                "PLUGIN_LIFECYCLE_TEST_DATABASE_URL is unset: no PostgreSQL server to test against (deploy/test starts one)"))
struct StoreMigrationTests {
    /// Plugins of three users (one disabled, one uninstalled: a gap in the audit ids) and a share.
    func populate(_ f: MaintenanceFixture) throws {
        _ = try f.service.install(user: "u1", slug: "braindrive-network", version: "1.0.0")
        _ = try f.service.install(user: "u2", slug: "braindrive-library")
        _ = try f.service.install(user: "u3", slug: "braindrive-settings")
        _ = try f.service.install(user: "u3", slug: "braindrive-chat")
        _ = try f.service.setEnabled(false, user: UserID("u3"), slug: LifecycleService.slug("braindrive-chat"), context: .cli)
        _ = try f.service.uninstall(user: "u2", slug: "braindrive-library")
        _ = try f.service.share(user: UserID("u1"), slug: LifecycleService.slug("braindrive-network"), with: [UserID("u2")],
                                context: .cli)
        // The audit trail's newest events deleted: SQLite's AUTOINCREMENT never gives their ids again; nor may PostgreSQL.
        try f.service.database.pool.write { db in try db.execute(sql: "DELETE FROM audit_event WHERE id > 5") }
        try f.service.database.closeConnections()
    }

    /// The SQLite store, opened for `body` and closed after: an open connection makes the data directory live.
    func withSQLite<T>(_ f: MaintenanceFixture, _ body: (LifecycleService) throws -> T) throws -> T {
        let service = try LifecycleService(dataDirectory: f.root, logger: MaintenanceFixture.quiet)
        defer { try? service.database.closeConnections() }
        return try body(service)
    }

    func tables(_ report: StoreCopy.Report) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: report.tables.map { ($0.table, $0.rows) })
    }

    @Test func copiesEveryTableVerifiedThenARerunIsAlreadyMigrated() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try populate(f)
        try PostgresTestServer.withSchema { schema in
            let dryRun = try StoreMigration.run(dataDirectory: f.root, to: schema.connection, apply: false)
            #expect(dryRun.outcome == .wouldCopy)
            let counts = try withSQLite(f) { sqlite in
                try sqlite.database.pool.read { db in
                    try Dictionary(uniqueKeysWithValues: ["plugin", "module", "installed_file", "audit_event", "share"].map {
                        ($0, try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? -1)
                    })
                }
            }
            #expect(tables(dryRun) == counts && counts["audit_event"] == 5 && counts["share"] == 1 && counts["installed_file"]! > 0)
            #expect(!schema.isMigrated(), "a dry run leaves the target as it was")

            let copied = try StoreMigration.run(dataDirectory: f.root, to: schema.connection, apply: true)
            #expect(copied.outcome == .copied && copied.tables == dryRun.tables)

            // The same rows, read by the service on PostgreSQL, and the next audit id past SQLite's high mark.
            let moved = try LifecycleService(dataDirectory: f.root, logger: MaintenanceFixture.quiet, observer: nil,
                                             location: schema.location)
            defer { moved.database.close() }
            let original = try withSQLite(f) { sqlite in try ["u1", "u2", "u3"].map { try sqlite.database.plugins(userID: $0) } }
            #expect(try ["u1", "u2", "u3"].map { try moved.database.plugins(userID: $0) } == original)
            let status = try moved.status(user: "u3", slug: "braindrive-settings", verify: .full)
            #expect(status.status == .healthy, "\(status)")
            let highMark = try withSQLite(f) { sqlite in
                try sqlite.database.pool.read { db in
                    try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_event'")
                }
            }
            _ = try moved.install(user: "u4", slug: "braindrive-network")
            let newest = try moved.database.auditEvents(userID: "u4", limit: 1, before: nil).first?.id
            #expect(newest == highMark.map { $0 + 1 }, "no audit id is given twice")

            // A rerun before anything changes: already migrated, dry run or not. (u4 changed the target: refused.)
            moved.database.close()
            try schema.run("DELETE FROM plugin WHERE user_id = 'u4'; DELETE FROM audit_event WHERE user_id = 'u4'")
            let rerun = try StoreMigration.run(dataDirectory: f.root, to: schema.connection, apply: true)
            #expect(rerun.outcome == .alreadyMigrated && rerun.tables == dryRun.tables)
            #expect(try StoreMigration.run(dataDirectory: f.root, to: schema.connection, apply: false).outcome == .alreadyMigrated)
        }
    }

    @Test func refusesATargetHoldingOtherRows() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try populate(f)
        try PostgresTestServer.withSchema { schema in
            _ = try StoreMigration.run(dataDirectory: f.root, to: schema.connection, apply: true)
            // The source moved on after the copy: the target is no longer it, and nothing is merged.
            _ = try withSQLite(f) { try $0.install(user: "u5", slug: "braindrive-network") }
            for apply in [false, true] {
                #expect {
                    try StoreMigration.run(dataDirectory: f.root, to: schema.connection, apply: apply)
                } throws: { error in
                    "\(error)".contains("the target database already holds other data (plugin: ")
                }
            }
        }
    }

    @Test func refusesWhileALeaseExistsAndTouchesNothing() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try populate(f)
        try withSQLite(f) { sqlite in try sqlite.database.pool.write { db in
            try db.execute(sql: """
                INSERT INTO operation_lease (user_id, plugin_slug, operation_id, operation, owner, owner_host, generation, expires_at)
                VALUES ('u1', 'braindrive-network', 'op-dead', 'update', 'pid:999999:1', '', 1, 0)
                """)
        } }
        try PostgresTestServer.withSchema { schema in
            #expect {
                try StoreMigration.run(dataDirectory: f.root, to: schema.connection, apply: true)
            } throws: { error in
                "\(error)".contains("operations were interrupted (update of u1/braindrive-network): run recovery first")
            }
            #expect(!schema.isMigrated(), "refused before the target is migrated")
        }
    }

    @Test func refusesTextWithNUL() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try populate(f)
        try withSQLite(f) { sqlite in try sqlite.database.pool.write { db in
            try db.execute(sql: "UPDATE plugin SET description = 'a' || char(0) || 'b' WHERE id = (SELECT min(id) FROM plugin WHERE user_id = 'u3')")
        } }
        try PostgresTestServer.withSchema { schema in
            #expect {
                try StoreMigration.run(dataDirectory: f.root, to: schema.connection, apply: true)
            } throws: { error in
                "\(error)".contains("plugin row u3_braindrive_chat holds text with a NUL byte, which PostgreSQL cannot store")
            }
        }
    }

    @Test func refusesWhileAPoolUsesTheDataDirectory() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try populate(f)
        // A pid file naming a live plugin-lifecycle process (this test runner is one).
        try FileManager.default.createDirectory(atPath: f.root + "/run", withIntermediateDirectories: true)
        try "\(getpid())\n".write(toFile: f.root + "/run/pool.pid", atomically: true, encoding: .utf8)
        try PostgresTestServer.withSchema { schema in
            #expect {
                try StoreMigration.run(dataDirectory: f.root, to: schema.connection, apply: true)
            } throws: { error in
                "\(error)".contains("the data directory is in use") && "\(error)".contains("stop the pool first")
            }
        }
    }
}

extension TestSchema {
    /// Whether anything migrated this schema.
    func isMigrated() -> Bool { (try? run("SELECT 1 FROM schema_migrations")) != nil }
}
