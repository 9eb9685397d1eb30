/// The stores a store-dependent test runs on: SQLite always; PostgreSQL when a server is named
/// (deploy/test starts one), and under CI, where a missing server fails the test rather than skip it.
package enum TestStore: String, Sendable, CustomStringConvertible {
    case sqlite, postgres

    package static let all: [TestStore] = PostgresTestServer.runs ? [.sqlite, .postgres] : [.sqlite]
    package var description: String { rawValue }

    /// For `.postgres`, a schema of its own on the test server (drop it at the end); nil for SQLite,
    /// where the data directory's file is the store.
    package func makeSchema() throws -> TestSchema? {
        self == .postgres ? try PostgresTestServer.makeSchema() : nil
    }
}
