import Foundation
import GRDB
@testable import LifecycleStore
import StoreTestSupport
import Testing

/// The PostgreSQL side of the store against a real server: the one deploy/test starts
/// (deploy/lib/postgres.sh) and names in PLUGIN_LIFECYCLE_TEST_DATABASE_URL. Each test works in
/// its own schema, dropped at its end. Serialized, and the restart test runs alone on the server.
@Suite(.serialized, .timeLimit(.minutes(10)),
       .enabled(if: PostgresTestServer.url != nil || PostgresTestServer.underCI,
                "PLUGIN_LIFECYCLE_TEST_DATABASE_URL is unset: no PostgreSQL server to test against (deploy/test starts one)"))
struct PostgresEngineTests {
    @Test func everyValueRoundTrips() throws {
        try PostgresTestServer.withSchema { schema in
            try schema.run("CREATE TABLE v (k bigint PRIMARY KEY, i bigint, r double precision, t text, b boolean)")
            let rows: [[SQLValue]] = [
                [1, .integer(.max), .real(0.1), .text(""), .bool(true)],
                [2, .integer(.min), .real(-1e300), .text("héllo ✓ 𝄞 'quoted' \"double\" ? \\ \t"), .bool(false)],
                [3, .null, .null, .null, .null],
                [4, 0, .real(.leastNonzeroMagnitude), .text(String(repeating: "ü", count: 50_000)), .integer(1)],
                [5, -1, .real(.pi), "?", .integer(0)],
                [6, 9_007_199_254_740_993, .real(.infinity), "a\nb", true],
                [7, 42, .real(-.infinity), "x", false],
                [8, 43, .real(.nan), "y", false],
                [9, 44, .real(-0.0), "z", false],
                [10, 45, .real(.greatestFiniteMagnitude), "w", false],
            ]
            let engine = schema.engine()
            let inserted = try engine.write { transaction in
                try rows.reduce(0) { try $0 + transaction.execute("INSERT INTO v (k, i, r, t, b) VALUES (?, ?, ?, ?, ?)", $1) }
            }
            #expect(inserted == rows.count)
            let read = try engine.read { transaction in
                try transaction.all("SELECT k, i, r, t, b FROM v ORDER BY k") { row in
                    (try row.integer(0), try row.optionalInteger(1), try row.optionalText(2).map { _ in try row.real(2) },
                     try row.optionalText(3), try row.optionalText(4).map { _ in try row.bool(4) })
                }
            }
            #expect(read.map(\.0) == Array(1...10))
            #expect(read.map(\.1) == [.max, .min, nil, 0, -1, 9_007_199_254_740_993, 42, 43, 44, 45])
            let reals = read.map(\.2)
            #expect(reals[0] == 0.1 && reals[1] == -1e300 && reals[2] == nil && reals[3] == .leastNonzeroMagnitude && reals[4] == .pi)
            #expect(reals[5] == .infinity && reals[6] == -.infinity && reals[7]!.isNaN && reals[9] == .greatestFiniteMagnitude)
            #expect(reals[8] == 0 && reals[8]!.sign == .minus)
            #expect(read[0].3 == "" && read[1].3 == "héllo ✓ 𝄞 'quoted' \"double\" ? \\ \t" && read[2].3 == nil)
            #expect(read[3].3 == String(repeating: "ü", count: 50_000) && read[4].3 == "?" && read[5].3 == "a\nb")
            // Integers 1 and 0 load into a boolean column as SQLite's flags do.
            #expect(read.map(\.4) == [true, false, nil, true, false, true, false, false, false, false])

            try engine.read { transaction in
                try transaction.forEachRow("SELECT t, i FROM v WHERE k = ?", [3]) { row in
                    #expect(throws: StoreError.self) { try row.text(0) }
                    #expect(throws: StoreError.self) { try row.integer(1) }
                    #expect(throws: StoreError.self) { try row.text(2) }
                }
                try transaction.forEachRow("SELECT t FROM v WHERE k = ?", [2]) { row in
                    let whole = try row.text(0, equals: "héllo ✓ 𝄞 'quoted' \"double\" ? \\ \t")
                    let prefix = try row.text(0, equals: "héllo")
                    #expect(whole && !prefix)
                }
            }
            // Changed rows, as PQcmdTuples reports them.
            #expect(try engine.write { try $0.execute("UPDATE v SET i = i WHERE k <= ?", [5]) } == 5)
            #expect(try engine.write { try $0.execute("DELETE FROM v WHERE k > ?", [100]) } == 0)
        }
    }

    @Test func statementsArePreparedOncePerSession() throws {
        #expect(PostgresConnection.numberingPlaceholders("SELECT \"a?\", 'b?''?', ? -- c?\n, /* d? */ ?, '?'") ==
            ("SELECT \"a?\", 'b?''?', $1 -- c?\n, /* d? */ $2, '?'", 2))
        try PostgresTestServer.withSchema { schema in
            let engine = schema.engine()
            for argument in ["one", "two"] {
                try engine.write { transaction in
                    for _ in 0..<3 {
                        let row = try transaction.one("SELECT 'a?b', ?::text", [.text(argument)]) { (try $0.text(0), try $0.text(1)) }
                        #expect(row?.0 == "a?b" && row?.1 == argument)
                    }
                }
            }
            let counts = try engine.read { transaction in
                try transaction.one("SELECT count(*) FILTER (WHERE statement = ?), count(*) FROM pg_prepared_statements",
                                    ["SELECT 'a?b', $1::text"]) { (try $0.integer(0), try $0.integer(1)) }
            }
            // One for the query, one for this count; the same session served every transaction.
            #expect(counts?.0 == 1 && counts?.1 == 2)
        }
    }

    @Test func aUniqueViolationFailsAndTheSessionStaysUsable() throws {
        try PostgresTestServer.withSchema { schema in
            try schema.run("CREATE TABLE u (k text PRIMARY KEY)")
            let engine = schema.engine()
            _ = try engine.write { try $0.execute("INSERT INTO u VALUES (?)", ["a"]) }
            let ranAfterCommit = Counter()
            let error = #expect(throws: StoreError.self) {
                _ = try engine.write { transaction in
                    transaction.afterCommit { ranAfterCommit.add() }
                    try transaction.execute("INSERT INTO u VALUES (?)", ["b"])
                    try transaction.execute("INSERT INTO u VALUES (?)", ["a"])
                }
            }
            guard case .failed(let message) = error else { Issue.record("not .failed: \(String(describing: error))"); return }
            #expect(message.contains("23505"))
            #expect(ranAfterCommit.value == 0)
            #expect(try engine.read { try $0.all("SELECT k FROM u") { try $0.text(0) } } == ["a"])
        }
    }

    @Test func aSerializationConflictIsRetriedAndCommitsOnce() throws {
        try PostgresTestServer.withSchema { schema in
            try schema.run("CREATE TABLE c (id bigint PRIMARY KEY, v bigint NOT NULL); INSERT INTO c VALUES (1, 0)")
            let first = schema.engine(), second = schema.engine()
            let ranAfterCommit = Counter()
            var attempts = 0
            try first.write { transaction in
                attempts += 1
                _ = try transaction.one("SELECT v FROM c WHERE id = ?", [1]) { try $0.integer(0) } // the snapshot
                if attempts == 1 {
                    // Another session commits a change to the row after this snapshot was taken.
                    _ = try second.write { try $0.execute("UPDATE c SET v = v + 10 WHERE id = ?", [1]) }
                }
                transaction.afterCommit { ranAfterCommit.add() }
                try transaction.execute("UPDATE c SET v = v + 1 WHERE id = ?", [1])
            }
            #expect(attempts == 2)
            #expect(first.serializationRetries == 1)
            #expect(ranAfterCommit.value == 1)
            #expect(try first.read { try $0.one("SELECT v FROM c WHERE id = ?", [1]) { try $0.integer(0) } } == 11)
        }
    }

    @Test func aServerRestartIsUnavailableThenTheSameEngineReconnects() throws {
        let directory = try #require(PostgresTestServer.directory, "PLUGIN_LIFECYCLE_TEST_PG_DIR is unset: the server's folder (deploy/test sets it)")
        // Alone: other suites' PostgreSQL tests would see the stop as their own failure.
        try PostgresTestServer.alone { schema in
            try schema.run("CREATE TABLE r (k bigint PRIMARY KEY)")
            let engine = schema.engine()
            _ = try engine.write { try $0.execute("INSERT INTO r VALUES (?)", [1]) }
            try PostgresTestServer.control(directory, "stop", "-m", "fast")
            var stopped = true
            defer { if stopped { try? PostgresTestServer.control(directory, "restart", "-m", "fast") } }

            // While it is down: the pooled session is dead and a new one cannot connect.
            func expectUnavailable(_ body: () throws -> Void) {
                let error = #expect(throws: StoreError.self) { try body() }
                guard case .unavailable(let message) = error else { Issue.record("not .unavailable: \(String(describing: error))"); return }
                #expect(!message.contains("plugin_lifecycle?"), "the message quotes the connection string: \(message)")
            }
            expectUnavailable { _ = try engine.write { try $0.execute("INSERT INTO r VALUES (?)", [2]) } }
            expectUnavailable { try engine.read { _ = try $0.all("SELECT k FROM r") { try $0.integer(0) } } }
            expectUnavailable { try schema.engine().read { _ in } }

            // Started again with the options it had (postmaster.opts); the engine's old session is gone.
            try PostgresTestServer.control(directory, "restart", "-m", "fast")
            stopped = false
            _ = try engine.write { try $0.execute("INSERT INTO r VALUES (?)", [3]) }
            #expect(try engine.read { try $0.all("SELECT k FROM r ORDER BY k") { try $0.integer(0) } } == [1, 3])
        }
    }

    @Test func hostsStartingTogetherMigrateOnceAndAnUnknownMigrationIsRefused() throws {
        try PostgresTestServer.withSchema { schema in
            let engines = (0..<4).map { _ in schema.engine() }
            let failures = Counter()
            DispatchQueue.concurrentPerform(iterations: engines.count) { index in
                do { try engines[index].migrate() } catch {
                    failures.add()
                    Issue.record("migrate failed: \(error)")
                }
            }
            #expect(failures.value == 0)
            try engines[0].migrate()
            let applied = try engines[0].read { try $0.all("SELECT identifier FROM schema_migrations ORDER BY applied_at, identifier") { try $0.text(0) } }
            #expect(applied == PostgresSchema.migrations.map(\.identifier))

            try schema.run("INSERT INTO schema_migrations (identifier) VALUES ('v99-from-a-newer-build')")
            #expect(throws: StoreError.unknownMigrations(["v99-from-a-newer-build"])) { try schema.engine().migrate() }
        }
    }

    /// The records bind and decode by position on PostgreSQL as on SQLite: booleans, the audit
    /// id the database gives (RETURNING), bigints, NULLs, and `put`'s full update.
    @Test func everyRecordRoundTripsThroughTheMigratedSchema() throws {
        try PostgresTestServer.withSchema { schema in
            let engine = schema.engine()
            try engine.migrate()
            var plugin = PluginRow(id: "u_p", userID: "u", pluginSlug: "p", name: "P", version: "2.0.0", description: nil,
                                   author: "a", scope: nil, bundleLocation: "b", enabled: false, installationType: "user-scoped",
                                   manifestJSON: "{\"k\": \"✓\"}", operationID: "op", installedAt: "i", updatedAt: "u")
            let module = ModuleRow(id: "u_p_M", pluginID: "u_p", userID: "u", name: "M", displayName: nil, description: "d",
                                   icon: nil, category: "c", priority: -3, props: nil, configFields: "[]", requiredServices: nil,
                                   layout: nil, tags: "t", enabled: true, createdAt: "c", updatedAt: "u")
            let file = InstalledFileRow(pluginID: "u_p", path: "dist/a.js", size: 5 << 33, sha256: "h")
            var event = AuditEventRow(at: "t", actor: "admin", userID: "u", pluginSlug: nil, action: "install", fromVersion: nil,
                                      toVersion: "2.0.0", outcome: "success", requestID: nil, detail: nil)
            let share = ShareRow(id: "s", pluginSlug: "p", version: "2.0.0", fromUser: "u", toUser: "v", state: "pending",
                                 createdAt: "c", updatedAt: "u")
            let id: Int64? = try engine.write { transaction in
                for (sql, arguments) in [(PluginRow.insertSQL, plugin.arguments), (ModuleRow.insertSQL, module.arguments),
                                         (InstalledFileRow.insertSQL, file.arguments), (ShareRow.insertSQL, share.arguments)] {
                    try transaction.execute(sql, arguments)
                }
                return try transaction.one(AuditEventRow.insertNew, Array(event.arguments.dropFirst())) { try $0.integer(0) }
            }
            #expect(id != nil)
            event.id = id
            let read = try engine.read { transaction in
                (try transaction.one("SELECT * FROM plugin", []) { try PluginRow(columns: $0) },
                 try transaction.one("SELECT * FROM module", []) { try ModuleRow(columns: $0) },
                 try transaction.one("SELECT * FROM installed_file", []) { try InstalledFileRow(columns: $0) },
                 try transaction.one("SELECT * FROM audit_event", []) { try AuditEventRow(columns: $0) },
                 try transaction.one("SELECT * FROM share", []) { try ShareRow(columns: $0) })
            }
            #expect(read.0 == plugin && read.1 == module && read.2 == file && read.3 == event && read.4 == share)
            plugin.enabled = true; plugin.author = nil; plugin.version = "2.1.0"
            #expect(try engine.write { try $0.execute(PluginRow.updateSQL, plugin.updateArguments) } == 1)
            #expect(try engine.read { try $0.one("SELECT * FROM plugin", []) { try PluginRow(columns: $0) } } == plugin)
        }
    }

    /// The two schemas hold the same tables with the same columns in the same order (the records
    /// decode by position), and every PostgreSQL text column compares bytes as SQLite does.
    @Test func theSchemaMatchesSQLites() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lc-pg-parity-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let sqlite = try LifecycleDatabase(path: folder + "/lifecycle.sqlite")
        try sqlite.migrate()
        let sqliteColumns = try sqlite.pool.read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master
                WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY name
                """)
            return try tables.map { table in (table, try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }) }
        }
        try sqlite.closeConnections()

        try PostgresTestServer.withSchema { schema in
            let engine = schema.engine()
            try engine.migrate()
            let columns = try engine.read { transaction in
                try transaction.all("""
                    SELECT table_name, column_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'
                    ORDER BY table_name, ordinal_position
                    """) { (try $0.text(0), try $0.text(1)) }
            }
            let postgresColumns = Dictionary(grouping: columns, by: \.0).mapValues { $0.map(\.1) }
            #expect(postgresColumns.keys.sorted() == sqliteColumns.map(\.0))
            for (table, names) in sqliteColumns { #expect(postgresColumns[table] == names, "table \(table)") }

            let notBytewise = try engine.read { transaction in
                try transaction.all("""
                    SELECT table_name || '.' || column_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'
                      AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C'
                    """) { try $0.text(0) }
            }
            #expect(notBytewise == [])
        }
    }
}

extension PostgresTestServer {
    /// Runs the server's `pg_ctl` on its data folder, as its owner (postgres) when we are root.
    static func control(_ directory: String, _ subcommand: String...) throws {
        let versions = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").compactMap(Int.init).sorted()
        let pgCtl = "/usr/lib/postgresql/\(try #require(versions.last))/bin/pg_ctl"
        // -l: a server started without a log file would keep our output pipe open.
        let command = [pgCtl, "-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60"] + subcommand
        let argv = (getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + command
        // posix_spawn and waitpid, not Foundation's Process: its wait never returned once pg_ctl
        // had started the server (the child stayed a zombie), hanging the test.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, arguments, environ)
        try #require(spawned == 0, "posix_spawn \(argv[0]): \(spawned)")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        #expect(status == 0, "pg_ctl \(subcommand.joined(separator: " ")) ended with wait status \(status)")
    }
}

/// A count that after-commit actions and concurrent threads may add to.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
