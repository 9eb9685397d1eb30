/// The store a test runs on: SQLite always; PostgreSQL when a test server is named (or under CI,
/// where its cases fail without one rather than vanish).
package enum TestStore: String, Sendable, CustomStringConvertible {
    case sqlite, postgres

    package static let all: [TestStore] = PostgresTestServer.runs ? [.sqlite, .postgres] : [.sqlite]
    package var description: String { rawValue }
}
