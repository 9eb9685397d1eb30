/// Every way `backup` and `restore` refuse or fail, as values; the CLI prints `description`.
/// (`doctor` never fails this way: what it finds is a ``Finding``.)
public enum MaintenanceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The backup destination exists and holds something: a backup never mixes with other files.
    case destinationNotEmpty(String)
    /// The backup destination lies inside the data directory it would copy.
    case destinationInsideDataDirectory(String)
    /// No data directory, or no database in it, to back up.
    case nothingToBackUp(String)
    /// A plugin's lease stayed held by a live operation past the wait.
    case pluginBusy(user: String, slug: String)
    /// A user kept installing plugins faster than the backup could take their leases.
    case tooMuchActivity(user: String)
    /// The source of a restore has no readable manifest.
    case notABackup(String)
    case unsupportedFormat(version: Int)
    /// A file of the backup is not what its manifest says (damaged or edited).
    case checksumMismatch(String)
    /// A pool or an operation is running on the data directory: never restored under it.
    case liveDataDirectory([String])
    /// The data directory already holds plugins or a database with rows; `--force` replaces them.
    case notEmpty([String])
    /// A file operation failed, with the path and errno text.
    case fileSystem(operation: String, path: String, reason: String)
    /// The database refused (SQLite's message).
    case database(String)
    /// The lifecycle service refused (its error's description).
    case lifecycle(String)

    public var description: String {
        switch self {
        case .destinationNotEmpty(let path):
            return "\(path) is not empty; a backup goes into a new or empty folder"
        case .destinationInsideDataDirectory(let path):
            return "\(path) is inside the data directory; put the backup elsewhere"
        case .nothingToBackUp(let reason):
            return "nothing to back up: \(reason)"
        case .pluginBusy(let user, let slug):
            return "an operation on \(user)/\(slug) did not finish in time; retry the backup"
        case .tooMuchActivity(let user):
            return "\(user)'s plugins kept changing while the backup tried to copy them; retry it"
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
        case .fileSystem(let operation, let path, let reason):
            return "\(operation) \(path): \(reason)"
        case .database(let message):
            return "database: \(message)"
        case .lifecycle(let message):
            return message
        }
    }
}
