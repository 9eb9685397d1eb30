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

    /// A new schema of its own on the server (``TestSchema``); drop it at the end.
    package static func makeSchema() throws -> TestSchema {
        guard let url else { throw Missing() }
        return try TestSchema(server: url)
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

    init(server url: String) throws {
        server = PostgresEngine(connection: url)
        // A URL takes the option percent-encoded in its query; a key=value string takes it quoted.
        connection = url.contains("://")
            ? url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D" + name
            : url + " options='-csearch_path=\(name)'"
        try server.runScript("CREATE SCHEMA \(name)")
    }

    package func engine() -> PostgresEngine { PostgresEngine(connection: connection) }

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
    }
}
