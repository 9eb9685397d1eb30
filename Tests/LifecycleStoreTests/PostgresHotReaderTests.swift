import Foundation
@testable import LifecycleStore
import StoreTestSupport
import Testing

/// PostgreSQL's hot reads (one statement each) against the engine's generic read transactions on
/// the same rows: the same answers, one committed state per read, and a session the server ended
/// replaced without an error. Each test works in its own schema on deploy/test's server.
@Suite(.timeLimit(.minutes(10)),
       .enabled(if: PostgresTestServer.url != nil || PostgresTestServer.underCI,
                "PLUGIN_LIFECYCLE_TEST_DATABASE_URL is unset: no PostgreSQL server to test against (deploy/test starts one)"))
struct PostgresHotReaderTests {
    /// The SQLite suite's row makers, so both stores are seeded alike.
    let rows = HotReaderTests()

    func withDatabase(_ body: (LifecycleDatabase, TestSchema) throws -> Void) throws {
        try PostgresTestServer.withSchema { schema in
            let db = try LifecycleDatabase(location: schema.location)
            try db.migrate()
            defer { db.close() }
            try body(db, schema)
        }
    }

    /// Varied rows: a disabled plugin and module, NULL and empty optional columns, non-ASCII and
    /// upper-case paths (ordered by bytes), a large size, a lease with a fractional expiry, a user
    /// whose id extends another's, a plugin with no modules and no files.
    func seed(_ db: LifecycleDatabase, _ schema: TestSchema) throws {
        try rows.put(db, rows.plugin("u", "a_b"), modules: ["M2", "M1", "M10"],
                     files: [("z.js", 1 << 40), ("a/b.js", 0), ("Z.js", 3), ("ç.js", 5), ("a.js", 9)])
        try rows.put(db, rows.plugin("u", "c", version: "2.0.0-beta.1"), modules: ["N"], files: [("ç.js", 7)])
        try rows.put(db, rows.plugin("u", "empty"), modules: [], files: [])
        try rows.put(db, rows.plugin("u_a", "x"), modules: ["O"], files: [("o.js", 1)])
        try schema.run("""
            UPDATE plugin SET enabled = false WHERE id = 'u_c';
            UPDATE plugin SET scope = NULL, bundle_location = 'dist/remoteEntry.js' WHERE id = 'u_empty';
            UPDATE module SET enabled = false WHERE id = 'u_a_b_M2'
            """)
        _ = try db.acquireLease(OperationLease(userID: "u", pluginSlug: "c", operationID: "pending", operation: "update",
                                               owner: "123:456", expiresAt: 1_800_000_000.25), now: 0) { _ in true }
        _ = try db.acquireLease(OperationLease(userID: "u", pluginSlug: "gone", operationID: "pending-2", operation: "install",
                                               owner: "1:2", expiresAt: 0.5), now: 0) { _ in true }
    }

    @Test func hotReadsAgreeWithTheGenericPath() throws {
        try withDatabase { db, schema in
            try seed(db, schema)
            let hot = try #require(db.hot as? PostgresHotReader)
            for user in ["u", "u_a", "nobody"] {
                let one = try hot.leasesAndHealthRows(userID: user)
                let generic = try db.leasesAndHealthRows(userID: user)
                #expect(one.leases == generic.leases && one.plugins == generic.plugins, "\(user)")
                #expect(try hot.installedVersions(userID: user) == db.installedVersions(userID: user))
                for slug in ["a_b", "c", "empty", "x", "gone", "missing"] {
                    let read = try hot.leaseAndHealthRows(userID: user, slug: slug)
                    let expected = try db.leaseAndHealthRows(userID: user, slug: slug)
                    #expect(read.lease == expected.lease && read.plugin == expected.plugin, "\(user)/\(slug)")
                    for path in ["z.js", "Z.js", "ç.js", "a/b.js", "o.js", "missing.js"] {
                        let file = try hot.leaseAndFileRows(userID: user, slug: slug, path: path)
                        let expectedFile = try db.leaseAndFileRows(userID: user, slug: slug, path: path)
                        #expect(file.lease == expectedFile.lease && file.plugin == expectedFile.plugin, "\(user)/\(slug)/\(path)")
                    }
                }
            }
            // The comparison means something: the rows are there, in SQLite's byte order.
            let u = try hot.leasesAndHealthRows(userID: "u")
            #expect(u.plugins.map(\.pluginSlug) == ["a_b", "c", "empty"] && u.leases.map(\.pluginSlug) == ["c", "gone"])
            #expect(u.plugins[0].files.map(\.path) == ["Z.js", "a.js", "a/b.js", "z.js", "ç.js"])
            #expect(u.plugins[0].modules.map(\.id) == ["u_a_b_M1", "u_a_b_M10", "u_a_b_M2"] && u.plugins[0].disabledModuleIDs == ["u_a_b_M2"])
            #expect(u.plugins[0].files.last?.size == 5 && u.plugins[0].files[3].size == 1 << 40 && !u.plugins[1].enabled)
            #expect(u.plugins[2].scope == nil && u.plugins[2].bundleLocation == "dist/remoteEntry.js" && u.plugins[2].files.isEmpty)
            #expect(u.leases[0].expiresAt == 1_800_000_000.25)
            let file = try hot.leaseAndFileRows(userID: "u", slug: "c", path: "ç.js")
            #expect(file.lease?.operationID == "pending" && file.plugin?.file?.size == 7 && file.plugin?.enabled == false)
            try hot.ping()
        }
    }

    /// While a writer flips a plugin between two states, each in one transaction, every read sees
    /// one of the two whole, never a mix: one statement is one snapshot.
    @Test func readsDuringCommitsNeverMixTwoStates() throws {
        try withDatabase { db, schema in
            try rows.put(db, rows.plugin("u", "p"), modules: ["M1"], files: [("a.js", 1)])
            let stop = Flag()
            let writer = Thread {
                var second = false
                while !stop.isSet {
                    second.toggle()
                    try? schema.run(second ? """
                        UPDATE plugin SET version = '2.0.0' WHERE id = 'u_p';
                        INSERT INTO installed_file VALUES ('u_p', 'b.js', 2, 'h');
                        INSERT INTO module (id, plugin_id, user_id, name, created_at, updated_at) VALUES ('u_p_M2', 'u_p', 'u', 'M2', 't', 't');
                        INSERT INTO operation_lease VALUES ('u', 'p', 'op2', 'update', '1:1', 1e12, 'h1', 7)
                        """ : """
                        UPDATE plugin SET version = '1.0.0' WHERE id = 'u_p';
                        DELETE FROM installed_file WHERE path = 'b.js';
                        DELETE FROM module WHERE name = 'M2';
                        DELETE FROM operation_lease
                        """)
                }
                stop.finished()
            }
            writer.start()
            defer { stop.set(); stop.waitFinished() }
            var seen: Set<String> = []
            for _ in 0..<400 {
                let read = try db.hot.leaseAndHealthRows(userID: "u", slug: "p")
                let plugin = try #require(read.plugin)
                let state = "\(plugin.version) \(plugin.moduleNames) \(plugin.files.map(\.path)) \(read.lease?.operationID ?? "-")"
                #expect(state == "1.0.0 [\"M1\"] [\"a.js\"] -" || state == "2.0.0 [\"M1\", \"M2\"] [\"a.js\", \"b.js\"] op2", "\(state)")
                let all = try db.hot.leasesAndHealthRows(userID: "u")
                let whole = "\(all.plugins.map(\.version)) \(all.plugins.flatMap(\.files).count) \(all.leases.count)"
                #expect(whole == "[\"1.0.0\"] 1 0" || whole == "[\"2.0.0\"] 2 1", "\(whole)")
                seen.insert(plugin.version)
            }
            #expect(seen.count == 2, "the writer never committed between reads: \(seen)")
        }
    }

    /// A pooled session the server ended (a restart, an administrator) is replaced at the next
    /// read, which answers: a read has nothing to undo, so it runs again on a new session.
    @Test func aSessionTheServerEndedIsReplacedWithoutAnError() throws {
        try withDatabase { db, schema in
            try rows.put(db, rows.plugin("u", "p"), modules: ["M1"], files: [("a.js", 1)])
            for _ in 0..<2 {
                // One thread: the pool holds one idle session, the one the next read takes.
                let pid = try #require(try db.read { try $0.one("SELECT pg_backend_pid()") { try $0.integer(0) } })
                try schema.run("SELECT pg_terminate_backend(\(pid), 5000)")
                #expect(try db.hot.leaseAndHealthRows(userID: "u", slug: "p").plugin?.files.map(\.path) == ["a.js"])
                #expect(try db.read { try $0.one("SELECT pg_backend_pid()") { try $0.integer(0) } } != pid)
            }
        }
    }
}
