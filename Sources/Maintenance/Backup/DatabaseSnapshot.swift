import Foundation
import GRDB
import LifecycleStore

/// A consistent copy of the live database, made with SQLite's online backup API while writers
/// run, and what it says is installed.
struct DatabaseSnapshot {
    struct Plugin {
        var userID: String
        var slug: String
        var operationID: String
        /// Relative path → (size, SHA-256), as recorded at install.
        var files: [String: (size: Int64, sha256: String)]
        var key: String { userID + "/" + slug }
    }

    var plugins: [Plugin]
    var migrations: [String]

    /// Copies the database into `path` (replacing what a previous round wrote there).
    ///
    /// GRDB runs the backup in one step inside a read transaction of the pool, so the copy is the
    /// database as of that transaction's start: later commits neither show up nor block. The copy
    /// is then made self-contained: rollback journal (no -wal beside it), and no operation leases,
    /// since the operations that held them never committed anything the copy shows.
    static func take(from database: LifecycleDatabase, into path: String) throws(MaintenanceError) -> DatabaseSnapshot {
        for leftover in [path, path + "-journal", path + "-wal", path + "-shm"] { try Disk.removeTree(leftover) }
        do {
            let copy = try DatabaseQueue(path: path)
            try database.pool.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                // The copied header says WAL; switching back is possible only while no other connection has it open.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                try db.execute(sql: "DELETE FROM operation_lease")
            }
            let snapshot = try copy.read { db in
                var plugins: [String: Plugin] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT id, user_id, plugin_slug, operation_id FROM plugin") {
                    plugins[row[0]] = Plugin(userID: row[1], slug: row[2], operationID: row[3], files: [:])
                }
                for row in try Row.fetchAll(db, sql: "SELECT plugin_id, path, size, sha256 FROM installed_file") {
                    plugins[row[0] as String]?.files[row[1]] = (row[2], row[3])
                }
                let migrations = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
                return DatabaseSnapshot(plugins: plugins.values.sorted { $0.key < $1.key }, migrations: migrations)
            }
            try copy.close()
            return snapshot
        } catch let error as MaintenanceError {
            throw error
        } catch {
            throw .database(String(describing: error))
        }
    }
}
