import Foundation
import LifecycleStore
import PluginCatalog
import Posix

/// Every way a lifecycle operation can fail, as values. The HTTP layer maps each case to the
/// contract's problem code in one place; the CLI prints `description`.
public enum LifecycleError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidSlug(String)
    case invalidUserID(String)
    case invalidVersion(String)
    case pluginNotFound(slug: String)
    case versionNotFound(slug: String, version: String)
    case notInstalled(slug: String)
    case moduleNotFound(slug: String, module: String)
    /// A file path in a request that no installed file can have (``LifecycleService/servedPath(_:)``).
    case invalidPath(String)
    /// The plugin is installed but switched off: its files are not served.
    case pluginDisabled(slug: String)
    /// No such file was installed, or it is no longer a regular file in the user's copy.
    case fileNotFound(slug: String, path: String)
    /// The file's size on disk is not the size recorded at install (repair restores it).
    case fileDamaged(slug: String, path: String)
    case shareNotFound(id: String)
    /// The contract's id `{user_id}_{slug}` of this install is already another user's plugin id.
    case pluginIDTaken(id: String)
    /// The caller may not act on this (a share that is not theirs, an admin route).
    case forbidden(String)
    case alreadyInstalled(slug: String, version: String)
    case operationInProgress(slug: String, operation: String)
    case dependencyInUse(slug: String, dependents: [String])
    case dependencyUnsatisfied(slug: String, dependency: String, range: String)
    case invalidPackage(String)
    /// The data directory (or database) cannot be written; the reason is for the log only.
    case storageUnavailable(reason: String)
    /// The disk filled up; the operation was rolled back.
    case insufficientStorage
    /// The database stayed locked past its busy timeout.
    case databaseBusy
    /// The database server cannot be reached (PostgreSQL restarting, the network); the reason is
    /// for the log only. Unlike ``storageUnavailable`` it passes without an operator.
    case databaseUnreachable(reason: String)
    /// A bug or an unexpected system error; the reason is for the log only.
    case internalFailure(reason: String)

    public var description: String {
        switch self {
        case .invalidSlug(let raw):
            return "'\(Self.printable(raw))' is not a valid plugin slug (letters, digits, '-' or '_', at most 64)"
        case .invalidUserID(let raw):
            return "'\(Self.printable(raw))' is not a valid user id"
        case .invalidVersion(let raw):
            return "'\(Self.printable(raw))' is not a semantic version (MAJOR.MINOR.PATCH)"
        case .pluginNotFound(let slug):
            return "Plugin '\(slug)' is not in the catalog"
        case .versionNotFound(let slug, let version):
            return "Plugin '\(slug)' has no version \(version) in the catalog"
        case .notInstalled(let slug):
            return "Plugin '\(slug)' is not installed for this user"
        case .moduleNotFound(let slug, let module):
            return "Plugin '\(slug)' has no module '\(module.prefix(64))'"
        case .invalidPath(let raw):
            return "'\(Self.printable(raw))' is not a file path of a plugin (relative, '/'-separated, no '.' or '..' parts, no control characters or '\\', at most \(LifecycleService.maxServedPathBytes) bytes)"
        case .pluginDisabled(let slug):
            return "Plugin '\(slug)' is disabled for this user; enable it to load its files"
        case .fileNotFound(let slug, let path):
            return "Plugin '\(slug)' has no file '\(Self.printable(path))' in this user's copy"
        case .fileDamaged(let slug, let path):
            return "The file '\(Self.printable(path))' of plugin '\(slug)' differs from what was installed; repair the plugin"
        case .pluginIDTaken(let id):
            return "The plugin id '\(id)' is already used by another user's install (ids are user id + '_' + slug); this install cannot get a unique id"
        case .shareNotFound(let id):
            return "No pending share '\(id.prefix(64))' for this user"
        case .forbidden(let reason):
            return reason
        case .alreadyInstalled(let slug, let version):
            return "Plugin '\(slug)' is already installed for this user (version \(version)); use update or repair"
        case .operationInProgress(let slug, let operation):
            return "Another operation (\(operation)) on plugin '\(slug)' is in progress for this user; try again shortly"
        case .dependencyInUse(let slug, let dependents):
            return "Plugin '\(slug)' is needed by \(dependents.map { "'\($0)'" }.joined(separator: ", ")); uninstall those first or use cascade=true"
        case .dependencyUnsatisfied(let slug, let dependency, let range):
            return "Plugin '\(slug)' needs '\(dependency)' \(range), and no version in the catalog satisfies it"
        case .invalidPackage(let reason):
            return "Invalid plugin package: \(reason)"
        case .storageUnavailable:
            return "The plugin storage is not writable; an operator must fix the data directory's permissions or mount"
        case .insufficientStorage:
            return "The disk filled up during the operation, which was rolled back"
        case .databaseBusy:
            return "The database is busy; retry shortly"
        case .databaseUnreachable:
            return "The database cannot be reached; retry shortly"
        case .internalFailure:
            return "Internal error"
        }
    }

    /// Caller input echoed in a message: bounded, control characters replaced.
    static func printable(_ raw: String) -> String {
        String(raw.prefix(80).unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    }

    /// Classifies anything thrown below the core (store, file system) as a lifecycle error.
    public init(classifying error: any Error) {
        switch error {
        case let error as LifecycleError: self = error
        case let error as StoreError:
            switch error {
            case .busy, .serializationFailure: self = .databaseBusy
            case .notWritable: self = .storageUnavailable(reason: "database not writable")
            case .diskFull: self = .insufficientStorage
            case .failed(let message): self = .internalFailure(reason: message)
            case .unavailable(let message): self = .databaseUnreachable(reason: message)
            case .unknownMigrations(let identifiers):
                self = .storageUnavailable(reason: "the database has migrations this build does not know: \(identifiers.joined(separator: ", "))")
            case .notOnPostgres(let feature):
                self = .storageUnavailable(reason: StoreError.notOnPostgresMessage(feature))
            }
        case let error as RowConflict:
            switch error {
            case .pluginIDTaken(let id): self = .pluginIDTaken(id: id)
            }
        case let error as ShareError:
            switch error {
            case .notPending: self = .shareNotFound(id: "")
            case .senderLacksPlugin: self = .notInstalled(slug: "")
            }
        case let error as LeaseError:
            switch error {
            case .held(let operation): self = .operationInProgress(slug: "", operation: operation)
            case .lost: self = .operationInProgress(slug: "", operation: "another")
            }
        case let error as SystemCallError:
            // A link where the data directory's layout has a folder: planted by someone with
            // access to the disk, refused, never followed. An operator must look (503); the log names the path.
            if error.isLinkRefusal {
                self = .storageUnavailable(reason: "\(error.path) is not a real folder (a symbolic link?); refusing to follow it")
                return
            }
            switch error.code {
            case ENOSPC, EDQUOT: self = .insufficientStorage
            case EACCES, EPERM, EROFS: self = .storageUnavailable(reason: error.description)
            default: self = .internalFailure(reason: error.description)
            }
        case let error as CatalogError:
            switch error {
            case .invalidSlug(let raw): self = .invalidSlug(raw)
            case .invalidVersion(let raw): self = .invalidVersion(raw)
            default: self = .invalidPackage(error.description)
            }
        default:
            self = .internalFailure(reason: String(describing: error))
        }
    }
}
