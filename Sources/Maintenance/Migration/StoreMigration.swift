import LifecycleCore
import LifecycleStore
import Posix

/// `migrate-store`: moves a data directory's SQLite store into PostgreSQL (``StoreCopy``), only
/// while nothing uses the data directory: a pool writing on during the copy would lose its writes.
package enum StoreMigration {
    /// Copies (when `apply`) or reports what it would copy; `connection` is the target's URL or
    /// key=value string, never printed.
    package static func run(dataDirectory: String, to connection: String, apply: Bool) throws -> StoreCopy.Report {
        let directory = DataDirectory(root: dataDirectory)
        guard FileTree.kind(directory.databasePath) == .regular else {
            throw MaintenanceError.nothingToMigrate("no database at \(directory.databasePath)")
        }
        let signs = LiveUse.evidence(in: directory)
        guard signs.isEmpty else { throw MaintenanceError.liveDataDirectory(signs) }
        do {
            // Read-only: a dry run changes nothing, and the copy never writes the source.
            let source = try LifecycleDatabase(path: directory.databasePath, readOnlyIfExists: true)
            let target = try LifecycleDatabase(location: .postgres(connection: connection))
            defer { target.close() }
            return try StoreCopy.run(from: source, to: target, apply: apply)
        } catch let error as StoreCopyError {
            throw MaintenanceError.lifecycle(error.description)
        } catch let error as StoreError {
            throw MaintenanceError.database("\(error)")
        }
    }
}
