import Posix

/// Every way `backup` and `restore` refuse or fail, as values; the CLI prints `description`.
/// (`doctor` never fails this way: what it finds is a ``Finding``.)
package enum MaintenanceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The backup destination exists and holds something: a backup never mixes with other files.
    case destinationNotEmpty(String)
    /// The backup destination lies inside the data directory it would copy.
    case destinationInsideDataDirectory(String)
    /// No data directory, or no database in it, to back up.
    case nothingToBackUp(String)
    /// No SQLite database in the data directory for `migrate-store` to copy.
    case nothingToMigrate(String)
    /// A plugin's lease stayed held by a live operation past the wait.
    case pluginBusy(user: String, slug: String)
    /// A user kept installing plugins faster than the backup could take their leases.
    case tooMuchActivity(user: String)
    /// A lease expired while the user's folders were copied, every time the copy was tried.
    case leaseExpired(user: String, attempts: Int)
    /// The source of a restore has no readable manifest.
    case notABackup(String)
    case unsupportedFormat(version: Int)
    /// A file of the backup is not what its manifest says (damaged or edited).
    case checksumMismatch(String)
    /// A pool or an operation is running on the data directory: never restored under it.
    case liveDataDirectory([String])
    /// The data directory already holds plugins or a database with rows; `--force` replaces them.
    case notEmpty([String])
    /// The backup's database has migrations this build does not know: a newer build made it.
    case unknownMigrations([String])
    /// The live database is not at this build's schema (pending or unknown migrations): `backup`
    /// never migrates what it copies.
    case schemaNotCurrent(pending: [String], unknown: [String])
    /// The restored data failed its checks after the swap; the previous data was put back.
    case restoredDataRejected(String)
    /// A file operation failed, with the path and errno text.
    case fileSystem(operation: String, path: String, reason: String)
    /// The database refused (SQLite's message).
    case database(String)
    /// The lifecycle service refused (its error's description).
    case lifecycle(String)

    package var description: String {
        switch self {
        case .destinationNotEmpty(let path):
            return "\(path) is not empty; a backup goes into a new or empty folder"
        case .destinationInsideDataDirectory(let path):
            return "\(path) is inside the data directory; put the backup elsewhere"
        case .nothingToBackUp(let reason):
            return "nothing to back up: \(reason)"
        case .nothingToMigrate(let reason):
            return "nothing to migrate: \(reason)"
        case .pluginBusy(let user, let slug):
            return "an operation on \(user)/\(slug) did not finish in time; retry the backup"
        case .tooMuchActivity(let user):
            return "\(user)'s plugins kept changing while the backup tried to copy them; retry it"
        case .leaseExpired(let user, let attempts):
            return "\(user)'s plugins took longer to copy than an operation lease lasts (\(attempts) attempts); retry the backup on a less loaded host"
        case .notABackup(let path):
            return "\(path) is not a backup (no readable manifest.json)"
        case .unsupportedFormat(let version):
            return "backup format version \(version) is newer than this build understands (\(BackupManifest.currentFormatVersion))"
        case .checksumMismatch(let what):
            return "the backup is damaged: \(what) does not match its manifest"
        case .liveDataDirectory(let reasons):
            return "the data directory is in use (\(reasons.joined(separator: "; "))); stop the pool first"
        case .notEmpty(let reasons):
            return "the data directory is not empty (\(reasons.joined(separator: "; "))); pass --force to replace it"
        case .unknownMigrations(let names):
            return "the backup's database has migrations this build does not know (\(names.joined(separator: ", "))); restore it with the newer build that made it"
        case .schemaNotCurrent(let pending, let unknown):
            if !unknown.isEmpty {
                return "the database has migrations this build does not know (\(unknown.joined(separator: ", "))); back it up with the newer build that wrote it"
            }
            return "the database is not migrated (\(pending.joined(separator: ", ")) pending); run `plugin-lifecycle init` or start `serve` with this build first, or back it up with the build that serves it"
        case .restoredDataRejected(let reason):
            return "the restored data failed its checks (\(reason)); the previous data was put back"
        case .fileSystem(let operation, let path, let reason):
            return "\(operation) \(path): \(reason)"
        case .database(let message):
            return "database: \(message)"
        case .lifecycle(let message):
            return message
        }
    }
}

extension MaintenanceError {
    /// A failed system call, as the operator commands report it.
    init(_ error: SystemCallError) {
        self = .fileSystem(operation: error.operation, path: error.path, reason: error.reason)
    }
}
