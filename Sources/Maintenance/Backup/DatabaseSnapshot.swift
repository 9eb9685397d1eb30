import Foundation
import LifecycleStore
import Posix

/// A consistent copy of the live database (see ``BackupCopy``), and what it says each user has installed.
struct DatabaseSnapshot {
    typealias Plugin = BackupCopy.Plugin

    /// The copy, open for the changes a backup makes to it (users taken at a later point).
    let copy: BackupCopy
    /// By user id, sorted.
    let users: [(userID: String, plugins: [Plugin])]

    /// Copies the database into `path`, replacing whatever a previous attempt left there.
    static func take(from database: LifecycleDatabase, into path: String) throws(MaintenanceError) -> DatabaseSnapshot {
        do throws(SystemCallError) {
            for leftover in [path, path + "-journal", path + "-wal", path + "-shm"] { try FileTree.removeTree(leftover) }
        } catch {
            throw MaintenanceError(error)
        }
        do {
            let copy = try BackupCopy(of: database, at: path)
            let users = Dictionary(grouping: try copy.plugins(), by: \.userID)
                .map { ($0.key, $0.value.sorted { $0.slug < $1.slug }) }
                .sorted { $0.0 < $1.0 }
            return DatabaseSnapshot(copy: copy, users: users)
        } catch {
            throw .database(String(describing: error))
        }
    }

    /// What the copy holds at the end: counts and migrations for the manifest.
    func summary() throws(MaintenanceError) -> (users: Int, plugins: Int, migrations: [String]) {
        do { return try copy.summary() } catch { throw .database(String(describing: error)) }
    }
}
