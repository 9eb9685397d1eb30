import Foundation

/// The store's seam between its rules (leases, the commit point, shares) and the database that
/// holds them: the rules are written once, as SQL text over this protocol, and run on SQLite
/// (through GRDB) or PostgreSQL (through libpq). Two copies of the rules would drift apart.
///
/// SQL text uses `?` placeholders; a PostgreSQL connection numbers them (`$1`, `$2`, …) when it
/// prepares the statement. Statements are prepared once per connection and reused.
protocol SQLTransaction {
    /// Which SQL the connection speaks, for the few statements that differ between the two.
    var dialect: SQLDialect { get }

    /// Runs a statement that returns no rows; the number of rows it inserted, changed or deleted.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int

    /// Runs a query, handing each result row to `row`, read by position (``ColumnSource``).
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ row: (any ColumnSource) throws -> Void) throws

    /// Runs `action` after this transaction commits; never after a rollback, nor for an attempt
    /// that the engine retries (a PostgreSQL serialization failure).
    func afterCommit(_ action: @escaping @Sendable () -> Void)
}

package enum SQLDialect: Sendable, Equatable {
    case sqlite
    case postgres
}

/// A value bound to one `?` of a statement.
package enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    /// SQLite stores 0/1 in an INTEGER column; PostgreSQL has `boolean`.
    case bool(Bool)
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    package init(stringLiteral value: String) { self = .text(value) }
    package init(integerLiteral value: Int64) { self = .integer(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }

    package init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    package init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
}

extension SQLTransaction {
    /// Every row of a query, decoded by `decode`.
    func all<T>(_ sql: String, _ arguments: [SQLValue] = [], _ decode: (any ColumnSource) throws -> T) throws -> [T] {
        var result: [T] = []
        try forEachRow(sql, arguments) { result.append(try decode($0)) }
        return result
    }

    /// The first row of a query, decoded by `decode`, or nil when it returns none.
    func one<T>(_ sql: String, _ arguments: [SQLValue] = [], _ decode: (any ColumnSource) throws -> T) throws -> T? {
        var result: T?
        try forEachRow(sql, arguments) { if result == nil { result = try decode($0) } }
        return result
    }
}

/// Where the store lives: the embedded SQLite file (the default), or a PostgreSQL server shared
/// by several hosts.
package enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    /// A `postgres://` / `postgresql://` URL or a libpq `key=value` connection string.
    case postgres(connection: String)

    /// The variable that holds the PostgreSQL URL (workers read it there, never from their argv).
    package static let environmentVariable = "PLUGIN_LIFECYCLE_DATABASE_URL"

    /// A database URL as an operator writes it; nil or empty means the SQLite file at `sqlitePath`.
    package init(databaseURL: String?, sqlitePath: String) {
        guard let url = databaseURL?.trimmingCharacters(in: .whitespaces), !url.isEmpty else {
            self = .sqlite(path: sqlitePath)
            return
        }
        self = .postgres(connection: url)
    }
}
