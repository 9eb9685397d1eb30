import Foundation
import GRDB
import GRDBSQLite

/// The one database every process shares: the SQLite file (``SQLiteEngine``: WAL, foreign keys on
/// every connection, a busy timeout, IMMEDIATE write transactions and durable commits), or a
/// PostgreSQL server several hosts share (``PostgresEngine``), as ``StoreLocation`` says.
///
/// Open one per process for its life. Only the master (or a CLI run) migrates, so that
/// workers never race on a fresh file.
package final class LifecycleDatabase: Sendable {
    /// Where the rules run (``StoreEngine``): every query file goes through ``write(_:)`` and ``read(_:)``.
    let engine: any StoreEngine
    /// The SQLite engine, for its SQLite-only parts (backup, checkpoint, PRAGMAs); nil on PostgreSQL.
    private let sqliteEngine: SQLiteEngine?
    /// The PostgreSQL engine; nil on SQLite.
    let postgres: PostgresEngine?
    /// SQLite's hot reader: one read-only C-API connection per thread (``HotReader``); nil on PostgreSQL.
    package let hotReader: HotReader?
    /// PostgreSQL's hot reads: one statement per read (``PostgresHotReader``); nil on SQLite.
    private let postgresHotReader: PostgresHotReader?
    let observer: DatabaseObserver?

    /// The SQLite engine, or ``StoreError/notOnPostgres(_:)`` naming what needed it.
    func sqlite(for feature: String) throws -> SQLiteEngine {
        guard let sqliteEngine else { throw StoreError.notOnPostgres(feature) }
        return sqliteEngine
    }

    /// GRDB's pool of the SQLite file (tests, backup); PostgreSQL has none.
    package var pool: DatabasePool {
        get throws { try sqlite(for: "direct SQLite access").pool }
    }

    /// The hot routes' reads: SQLite's C-API reader, or PostgreSQL's one-statement reads.
    package var hot: any HotReads {
        if let hotReader { return hotReader }
        return postgresHotReader ?? self
    }

    package convenience init(path: String, busyTimeout: TimeInterval = 5, readOnlyIfExists: Bool = false,
                             observer: DatabaseObserver? = nil) throws {
        try self.init(location: .sqlite(path: path), busyTimeout: busyTimeout, readOnlyIfExists: readOnlyIfExists,
                      observer: observer)
    }

    /// Opens the store at `location`; nothing migrates here (``migrate()``). `busyTimeout` and
    /// `readOnlyIfExists` are SQLite's: PostgreSQL's engine bounds its own waits.
    package init(location: StoreLocation, busyTimeout: TimeInterval = 5, readOnlyIfExists: Bool = false,
                 observer: DatabaseObserver? = nil) throws {
        self.observer = observer
        guard case .sqlite(let path) = location else {
            guard case .postgres(let connection) = location else { preconditionFailure() }
            let postgres = PostgresEngine(connection: connection)
            self.postgres = postgres
            engine = postgres
            sqliteEngine = nil
            hotReader = nil
            postgresHotReader = PostgresHotReader(engine: postgres)
            return
        }
        postgres = nil
        postgresHotReader = nil
        // The hot reader's connections wait as GRDB's do.
        let busyMode: Database.BusyMode
        let hotBusyMode: HotBusyMode
        if let busyWait = observer?.busyWait {
            let callback = BusyWait.callback(timeout: busyTimeout, started: busyWait)
            busyMode = .callback(callback)
            hotBusyMode = .callback(callback)
        } else {
            busyMode = .timeout(busyTimeout)
            hotBusyMode = .timeout(milliseconds: Int32(busyTimeout * 1000))
        }
        let sqlite = try SQLiteEngine(path: path, readOnly: readOnlyIfExists && FileManager.default.fileExists(atPath: path),
                                      busyMode: busyMode)
        sqliteEngine = sqlite
        engine = sqlite
        let pool = sqlite.pool
        hotReader = try HotReader(path: pool.path, busyMode: hotBusyMode, requiredMigrations: LifecycleMigrations.migrator.migrations,
                                  migrate: { try LifecycleDatabase.migrate(pool) })
    }

    // The hot reader's connections close before GRDB's, whose writer closes last (GRDB closes its
    // readers first too): the last connection to close is the one that can checkpoint and remove the WAL.
    deinit {
        hotReader?.close()
    }

    /// Applies pending migrations. Safe to call from several processes at once: it runs under an exclusive file lock.
    package func migrate() throws {
        if let postgres { return try postgres.migrate() }
        try Self.migrate(pool)
    }

    private static func migrate(_ pool: DatabasePool) throws {
        let lockPath = pool.path + ".migrate-lock"
        let fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.notWritable }
        defer { Glibc.close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        do { try LifecycleMigrations.migrator.migrate(pool) } catch { throw StoreError.wrap(error) }
    }

    /// Runs `body` in a write transaction (SQLite: begun IMMEDIATE), with the store's errors as ``StoreError``.
    func write<T>(_ body: (any SQLTransaction) throws -> T) throws -> T {
        try engine.write(body)
    }

    /// Inserts an audit event in the current write transaction; the observer hears of it, with the
    /// id the database gave it, once the transaction commits (never for a rollback).
    func record(_ audit: AuditEventRow, _ db: any SQLTransaction) throws {
        var inserted = audit
        inserted.id = try db.one(AuditEventRow.insertNew, Array(audit.arguments.dropFirst())) { try $0.integer(0) }
        if let committed = observer?.auditCommitted {
            let event = inserted
            db.afterCommit { committed(event) }
        }
    }

    func read<T>(_ body: (any SQLTransaction) throws -> T) throws -> T {
        try engine.read(body)
    }

    /// Keeps the WAL from growing without bound when readers hold old snapshots (run it from one process now and then).
    /// PostgreSQL checkpoints by itself: a no-op there.
    package func checkpoint() throws {
        guard sqliteEngine != nil else { return }
        _ = try write { _ in () }
        do {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch { throw StoreError.wrap(error) }
    }

    /// Closes every connection now rather than when the last reference goes (the hot reader's
    /// too). No read may be running.
    package func closeConnections() throws {
        if let postgres { return postgres.close() }
        hotReader?.close()
        try pool.close()
    }

    /// Closes the connections of the hot reads (``HotReads``): SQLite's hot reader, PostgreSQL's idle sessions.
    package func close() {
        hotReader?.close()
        postgres?.close()
    }

    /// Liveness for `health` through the engine: a read that touches the schema (the route reads it
    /// through ``HotReader/ping()``).
    package func ping() throws {
        _ = try read { db in
            // The migration table stands in for sqlite_master on PostgreSQL.
            try db.one(db.dialect == .sqlite ? HotQueries.ping : "SELECT count(*) FROM schema_migrations") { try $0.integer(0) }
        }
    }
}
