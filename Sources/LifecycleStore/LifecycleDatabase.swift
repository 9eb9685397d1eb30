import Foundation
import GRDB
import GRDBSQLite

/// The one SQLite database every process shares: WAL, foreign keys on every connection,
/// a busy timeout, IMMEDIATE write transactions and durable (synchronous=FULL) commits.
///
/// Open one per process for its life. Only the master (or a CLI run) migrates, so that
/// workers never race on a fresh file.
package final class LifecycleDatabase: Sendable {
    package let pool: DatabasePool
    /// The hot routes' reads, on one read-only C-API connection per thread (``HotReader``).
    package let hot: HotReader
    let observer: DatabaseObserver?

    package init(path: String, busyTimeout: TimeInterval = 5, readOnlyIfExists: Bool = false,
                observer: DatabaseObserver? = nil) throws {
        self.observer = observer
        var config = Configuration()
        // Read-only opening is for inspection (`doctor`): it never converts the journal mode or
        // writes a page. A missing file is still created, so callers check for it first.
        config.readonly = readOnlyIfExists && FileManager.default.fileExists(atPath: path)
        // The hot reader's connections wait as GRDB's do.
        let hotBusyMode: HotBusyMode
        if let busyWait = observer?.busyWait {
            let callback = BusyWait.callback(timeout: busyTimeout, started: busyWait)
            config.busyMode = .callback(callback)
            hotBusyMode = .callback(callback)
        } else {
            config.busyMode = .timeout(busyTimeout)
            hotBusyMode = .timeout(milliseconds: Int32(busyTimeout * 1000))
        }
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // Lifecycle writes must survive a power cut once answered; the pool's default is NORMAL.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // GRDB sets this too; stated here because BrainDrive's missing pragma is a known failure.
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError.wrap(error)
        }
        self.pool = pool
        hot = try HotReader(path: pool.path, busyMode: hotBusyMode, requiredMigrations: LifecycleMigrations.migrator.migrations,
                            migrate: { try LifecycleDatabase.migrate(pool) })
    }

    // The hot reader's connections close before GRDB's, whose writer closes last (GRDB closes its
    // readers first too): the last connection to close is the one that can checkpoint and remove the WAL.
    deinit {
        hot.close()
    }

    /// Applies pending migrations. Safe to call from several processes at once: it runs under an exclusive file lock.
    package func migrate() throws {
        try Self.migrate(pool)
    }

    private static func migrate(_ pool: DatabasePool) throws {
        let lockPath = pool.path + ".migrate-lock"
        let fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.notWritable }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        do { try LifecycleMigrations.migrator.migrate(pool) } catch { throw StoreError.wrap(error) }
    }

    /// Runs `body` in a write transaction begun IMMEDIATE, mapping SQLite errors to ``StoreError``.
    package func write<T>(_ body: (Database) throws -> T) throws -> T {
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

    /// Inserts an audit event in the current write transaction; the observer hears of it once
    /// the transaction commits (never for a rollback).
    func record(_ audit: AuditEventRow, _ db: Database) throws {
        var audit = audit
        try audit.insert(db)
        if let committed = observer?.auditCommitted {
            let inserted = audit
            db.afterNextTransaction(onCommit: { _ in committed(inserted) })
        }
    }

    package func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw StoreError.wrap(error) }
    }

    /// Keeps the WAL from growing without bound when readers hold old snapshots (run it from one process now and then).
    package func checkpoint() throws {
        _ = try write { _ in () }
        do {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch { throw StoreError.wrap(error) }
    }

    /// Closes every connection now rather than when the last reference goes (the hot reader's
    /// too). No read may be running.
    package func closeConnections() throws {
        hot.close()
        try pool.close()
    }

    /// Liveness for `health` through GRDB: a read that touches the schema (the route reads it
    /// through ``HotReader/ping()``).
    package func ping() throws {
        _ = try read { db in try Int.fetchOne(db, sql: HotQueries.ping) }
    }
}
