import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode through a GRDB pool, foreign keys on every
/// connection, IMMEDIATE write transactions and durable (synchronous=FULL) commits.
struct SQLiteEngine: StoreEngine {
    let pool: DatabasePool

    /// Read-only opening is for inspection (`doctor`): it never converts the journal mode or
    /// writes a page. A missing file is still created, so callers check for it first.
    init(path: String, readOnly: Bool, busyMode: Database.BusyMode) throws {
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = busyMode
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // Lifecycle writes must survive a power cut once answered; the pool's default is NORMAL.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // GRDB sets this too; stated here because BrainDrive's missing pragma is a known failure.
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError.wrap(error)
        }
    }

    func write<T>(_ body: (any SQLTransaction) throws -> T) throws -> T {
        try writeGRDB { db in try body(SQLiteTransaction(db)) }
    }

    func read<T>(_ body: (any SQLTransaction) throws -> T) throws -> T {
        try readGRDB { db in try body(SQLiteTransaction(db)) }
    }

    /// A write transaction begun IMMEDIATE, on GRDB's own API: for what only SQLite has.
    func writeGRDB<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }

    /// A read transaction on GRDB's own API (PRAGMAs, the migration table).
    func readGRDB<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw StoreError.wrap(error) }
    }
}
