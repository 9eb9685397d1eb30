import Foundation
import LifecycleStore
import Logging
import PluginCatalog
import Posix

/// Who asked for an operation, for the audit log.
public struct OperationContext: Sendable {
    public var actor: String
    public var requestID: String?
    public init(actor: String, requestID: String? = nil) { self.actor = actor; self.requestID = requestID }
    public static let cli = OperationContext(actor: "cli")
}

/// The user-scoped plugin lifecycle: install, uninstall, status, repair, and catalog views.
///
/// Usable directly from Swift (the seed's "direct usage"):
/// ```swift
/// let service = try LifecycleService(dataDirectory: "var")
/// let result = try service.install(user: "user123", slug: "braindrive-network")
/// print(result.pluginID, result.modulesCreated)
/// ```
/// Every method is synchronous and thread-safe; every failure is a ``LifecycleError``.
public final class LifecycleService: Sendable {
    package let directory: DataDirectory
    package let database: LifecycleDatabase
    package let catalog: CatalogSource
    let runner: OperationRunner
    let logger: Logger
    /// `available`'s catalog part and the catalog generation it was built from.
    let availableCache = Locked<(generation: Int, plugins: [AvailablePlugin])?>(nil)

    package init(directory: DataDirectory, database: LifecycleDatabase, catalog: CatalogSource, logger: Logger,
                 leases: LeaseSettings = .process) {
        self.directory = directory; self.database = database; self.catalog = catalog; self.logger = logger
        runner = OperationRunner(database: database, directory: directory, logger: logger, leases: leases)
    }

    /// Opens (and prepares, migrates) a data directory with its default catalog folder.
    public convenience init(dataDirectory: String, catalogRoot: String? = nil,
                            logger: Logger = Logger(label: "plugin-lifecycle")) throws(LifecycleError) {
        try self.init(dataDirectory: dataDirectory, catalogRoot: catalogRoot, logger: logger, observer: nil)
    }

    /// `observer` hears of committed lifecycle changes and database busy waits (a worker's log and metrics);
    /// `leases` says which host this is and how long its leases last (default: the environment's).
    package convenience init(dataDirectory: String, catalogRoot: String? = nil,
                             logger: Logger = Logger(label: "plugin-lifecycle"),
                             observer: DatabaseObserver?, leases: LeaseSettings = .process,
                             location: StoreLocation? = nil) throws(LifecycleError) {
        let directory = DataDirectory(root: dataDirectory)
        do {
            try directory.prepare()
            // nil: the data directory's SQLite file.
            let database = try LifecycleDatabase(location: location ?? .sqlite(path: directory.databasePath), observer: observer)
            try database.migrate()
            let catalog = CatalogSource(root: URL(fileURLWithPath: catalogRoot ?? directory.defaultCatalogRoot))
            self.init(directory: directory, database: database, catalog: catalog, logger: logger, leases: leases)
        } catch {
            throw LifecycleError(classifying: error)
        }
    }

    /// Rolls back whatever interrupted operations left (call before serving, from one process).
    public func recoverInterruptedOperations() throws(LifecycleError) {
        try classified { try runner.recoverAll() }
    }

    /// Database and catalog liveness, for `health`.
    public func health() throws(LifecycleError) {
        try classified { try database.hot.ping() }
    }
}
