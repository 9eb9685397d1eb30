import GRDB

/// A consistent copy of the live database, made with SQLite's online backup API while writers
/// run, and open for the changes a backup makes to it (users taken at a later point).
///
/// GRDB runs the backup in one step inside a read transaction of the pool, so the copy is the
/// database as of that transaction's start: later commits neither show up nor are blocked. The
/// copy is then made self-contained: rollback journal (no -wal beside it), and no operation
/// leases, since the operations that held them never committed anything the copy shows.
///
/// Its errors are SQLite's own (not ``StoreError``): they only ever end in a message.
package final class BackupCopy {
    /// What the copy says one user's plugin is.
    package struct Plugin {
        package var userID: String
        package var slug: String
        package var operationID: String
        /// Relative path → (size, SHA-256), as recorded at install.
        package var files: [String: (size: Int64, sha256: String)]
        package var key: String { userID + "/" + slug }
    }

    let queue: DatabaseQueue

    /// Copies `database` into a new file at `path` (which must not exist, nor its -journal, -wal, -shm).
    package init(of database: LifecycleDatabase, at path: String) throws {
        queue = try DatabaseQueue(path: path)
        if database.onPostgres {
            // The same format from PostgreSQL: a new file at this build's schema, filled from one
            // REPEATABLE READ snapshot (leases are never copied); its journal is DELETE already.
            try LifecycleMigrations.migrator.migrate(queue)
            try database.read { source in
                try queue.write { db in
                    let target = SQLiteTransaction(db)
                    try StoreCopy.copyRows(source, into: target)
                    try StoreCopy.copyLeaseGeneration(source, into: target)
                }
            }
            return
        }
        try database.pool.backup(to: queue)
        try queue.writeWithoutTransaction { db in
            // The copied header says WAL; switching back is possible while no other connection has it open.
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "DELETE FROM operation_lease")
        }
    }

    /// Every plugin the copy holds, with its recorded files (unordered).
    package func plugins() throws -> [Plugin] {
        try queue.read { db in
            var plugins: [String: Plugin] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, user_id, plugin_slug, operation_id FROM plugin") {
                plugins[row[0]] = Plugin(userID: row[1], slug: row[2], operationID: row[3], files: [:])
            }
            for row in try Row.fetchAll(db, sql: "SELECT plugin_id, path, size, sha256 FROM installed_file") {
                plugins[row[0] as String]?.files[row[1]] = (row[2], row[3])
            }
            return Array(plugins.values)
        }
    }

    /// Replaces the user's rows in the copy with `rows`, in one transaction.
    package func replace(with rows: UserRows) throws {
        try queue.write { db in try rows.replace(in: SQLiteTransaction(db)) }
    }

    /// What the copy holds: counts and migrations, for a backup's manifest.
    package func summary() throws -> (users: Int, plugins: Int, migrations: [String]) {
        try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(DISTINCT user_id) FROM plugin") ?? 0,
             try LifecycleDatabase.pluginCount(SQLiteTransaction(db)),
             try LifecycleDatabase.appliedMigrations(db))
        }
    }

    package func close() throws {
        try queue.close()
    }
}

extension LifecycleDatabase {
    /// Whether the store is a PostgreSQL server (no SQLite file in the data directory).
    package var onPostgres: Bool { engine is PostgresEngine }
}
