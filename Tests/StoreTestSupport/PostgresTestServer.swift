import Foundation
import LifecycleStore

/// The PostgreSQL server deploy/test starts (deploy/lib/postgres.sh), from its environment.
package enum PostgresTestServer {
    package static let environment = ProcessInfo.processInfo.environment
    package static let url = environment["PLUGIN_LIFECYCLE_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    package static let directory = environment["PLUGIN_LIFECYCLE_TEST_PG_DIR"].flatMap { $0.isEmpty ? nil : $0 }
    /// CI must not skip these silently: under CI=1 they run, and fail without a server.
    package static let underCI = environment["CI"].map { !$0.isEmpty && $0 != "0" } ?? false
    /// Whether the PostgreSQL cases run: a server is named, or CI wants them (and fails without one).
    package static var runs: Bool { url != nil || underCI }

    /// The refusal under CI when no server is named.
    package struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "CI is set but PLUGIN_LIFECYCLE_TEST_DATABASE_URL is not: deploy/test starts a PostgreSQL server for these tests"
        }
    }

    /// Suites run in parallel, and one test stops the shared server: every schema holds the server
    /// shared until it is dropped, and ``alone(_:)`` holds it exclusively.
    private static let use = ServerUse()

    /// A new schema of its own on the server (``TestSchema``); drop it at the end.
    package static func makeSchema() throws -> TestSchema {
        guard let url else { throw Missing() }
        use.lockShared()
        do { return try TestSchema(server: url, release: use.unlock) } catch { use.unlock(); throw error }
    }

    /// Runs `body` with a schema of its own while no other test uses the server (it may stop it).
    /// Waits at most two minutes for the others: a test that never drops its schema fails this one.
    package static func alone(_ body: (TestSchema) throws -> Void) throws {
        guard let url else { throw Missing() }
        guard use.lockExclusive(waitingAtMost: 120) else {
            throw ServerUse.Timeout()
        }
        defer { use.unlock() }
        let schema = try TestSchema(server: url, release: {})
        defer { schema.drop() }
        try body(schema)
    }

    /// Runs `body` with a new schema of its own, dropped afterwards with everything in it.
    package static func withSchema(_ body: (TestSchema) throws -> Void) throws {
        let schema = try makeSchema()
        defer { schema.drop() }
        try body(schema)
    }
}

/// A schema for one test: its engines see only it (search_path through the connection's options).
package final class TestSchema: @unchecked Sendable {
    package let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    /// The server's connection string with this schema as the search path.
    package let connection: String
    private let server: PostgresEngine
    private let release: @Sendable () -> Void

    init(server url: String, release: @escaping @Sendable () -> Void) throws {
        self.release = release
        server = PostgresEngine(connection: url)
        // A URL takes the option percent-encoded in its query; a key=value string takes it quoted.
        connection = url.contains("://")
            ? url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D" + name
            : url + " options='-csearch_path=\(name)'"
        try server.runScript("CREATE SCHEMA \(name)")
    }

    package func engine() -> PostgresEngine { PostgresEngine(connection: connection) }

    /// The store at this schema, for a service or database under test.
    package var location: StoreLocation { .postgres(connection: connection) }

    /// Runs SQL (several statements allowed) in this schema.
    package func run(_ sql: String) throws {
        try server.runScript("SET LOCAL search_path = \(name); " + sql)
    }

    /// Drops the schema with everything in it; a failure is printed (the test's result stands).
    package func drop() {
        do { try server.runScript("DROP SCHEMA \(name) CASCADE") } catch {
            FileHandle.standardError.write(Data("could not drop schema \(name): \(error)\n".utf8))
        }
        server.close()
        release()
    }
}

/// A readers-writer lock on the shared test server (pthread's: the tests run on plain threads).
final class ServerUse: @unchecked Sendable {
    struct Timeout: Error, CustomStringConvertible {
        var description: String { "another PostgreSQL test held the server for two minutes (a schema never dropped?)" }
    }

    private var lock = pthread_rwlock_t()

    init() { pthread_rwlock_init(&lock, nil) }

    func lockShared() { pthread_rwlock_rdlock(&lock) }

    func lockExclusive(waitingAtMost seconds: Int) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        deadline.tv_sec += seconds
        return pthread_rwlock_timedwrlock(&lock, &deadline) == 0
    }

    func unlock() { pthread_rwlock_unlock(&lock) }
}
