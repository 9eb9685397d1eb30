import Foundation
import GRDB
import LifecycleStore

/// A consistent copy of the live database, made with SQLite's online backup API while writers
/// run, and what it says each user has installed.
struct DatabaseSnapshot {
    struct Plugin {
        var userID: String
        var slug: String
        var operationID: String
        /// Relative path → (size, SHA-256), as recorded at install.
        var files: [String: (size: Int64, sha256: String)]
        var key: String { userID + "/" + slug }
    }

    /// The copy, open for the changes a backup makes to it (users taken at a later point).
    let copy: DatabaseQueue
    /// By user id, sorted.
    let users: [(userID: String, plugins: [Plugin])]

    /// Copies the database into `path`.
    ///
    /// GRDB runs the backup in one step inside a read transaction of the pool, so the copy is the
    /// database as of that transaction's start: later commits neither show up nor are blocked. The
    /// copy is then made self-contained: rollback journal (no -wal beside it), and no operation
    /// leases, since the operations that held them never committed anything the copy shows.
    static func take(from database: LifecycleDatabase, into path: String) throws(MaintenanceError) -> DatabaseSnapshot {
        for leftover in [path, path + "-journal", path + "-wal", path + "-shm"] { try Disk.removeTree(leftover) }
        do {
            let copy = try DatabaseQueue(path: path)
            try database.pool.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                // The copied header says WAL; switching back is possible while no other connection has it open.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                try db.execute(sql: "DELETE FROM operation_lease")
            }
            let users = try copy.read { db in
                var plugins: [String: Plugin] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT id, user_id, plugin_slug, operation_id FROM plugin") {
                    plugins[row[0]] = Plugin(userID: row[1], slug: row[2], operationID: row[3], files: [:])
                }
                for row in try Row.fetchAll(db, sql: "SELECT plugin_id, path, size, sha256 FROM installed_file") {
                    plugins[row[0] as String]?.files[row[1]] = (row[2], row[3])
                }
                return Dictionary(grouping: plugins.values, by: \.userID)
                    .map { ($0.key, $0.value.sorted { $0.slug < $1.slug }) }
                    .sorted { $0.0 < $1.0 }
            }
            return DatabaseSnapshot(copy: copy, users: users)
        } catch let error as MaintenanceError {
            throw error
        } catch {
            throw .database(String(describing: error))
        }
    }

    /// What the copy holds at the end: counts and migrations for the manifest.
    func summary() throws(MaintenanceError) -> (users: Int, plugins: Int, migrations: [String]) {
        do {
            return try copy.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(DISTINCT user_id) FROM plugin") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM plugin") ?? 0,
                 try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid"))
            }
        } catch {
            throw .database(String(describing: error))
        }
    }
}
