import Foundation
import LifecycleStore
import Logging
import PluginCatalog
import ThreadPrimitives

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
    public let directory: DataDirectory
    public let database: LifecycleDatabase
    public let catalog: CatalogSource
    let runner: OperationRunner
    let logger: Logger
    /// `available`'s catalog part and the catalog generation it was built from.
    let availableCache = Locked<(generation: Int, plugins: [AvailablePlugin])?>(nil)

    public init(directory: DataDirectory, database: LifecycleDatabase, catalog: CatalogSource, logger: Logger) {
        self.directory = directory; self.database = database; self.catalog = catalog; self.logger = logger
        runner = OperationRunner(database: database, directory: directory, logger: logger)
    }

    /// Opens (and prepares, migrates) a data directory with its default catalog folder.
    /// `observer` hears of committed lifecycle changes and database busy waits (a worker's log and metrics).
    public convenience init(dataDirectory: String, catalogRoot: String? = nil,
                            logger: Logger = Logger(label: "plugin-lifecycle"),
                            observer: DatabaseObserver? = nil) throws(LifecycleError) {
        let directory = DataDirectory(root: dataDirectory)
        do {
            try directory.prepare()
            let database = try LifecycleDatabase(path: directory.databasePath, observer: observer)
            try database.migrate()
            let catalog = CatalogSource(root: URL(fileURLWithPath: catalogRoot ?? directory.defaultCatalogRoot))
            self.init(directory: directory, database: database, catalog: catalog, logger: logger)
        } catch {
            throw LifecycleError(classifying: error)
        }
    }

    /// Rolls back whatever interrupted operations left (call before serving, from one process).
    public func recoverInterruptedOperations() throws(LifecycleError) {
        try classified { try runner.recoverAll() }
    }

    // MARK: - Catalog views

    /// The catalog with, given a user, which plugins they have. The catalog part is built once per
    /// catalog generation (a publish, or any change of the catalog folder, rebuilds it); per
    /// request only the user's installed versions are read, with one indexed query.
    public func available(for user: UserID? = nil) throws(LifecycleError) -> AvailableList {
        try classified {
            let catalogPart = availableCatalogPart()
            let installed = try user.map { try database.installedVersions(userID: $0.value) } ?? [:]
            var plugins: [String: AvailablePlugin] = [:]
            plugins.reserveCapacity(catalogPart.count)
            for var plugin in catalogPart {
                if user != nil {
                    plugin.installed = installed[plugin.slug] != nil
                    plugin.installedVersion = installed[plugin.slug]
                }
                plugins[plugin.slug] = plugin
            }
            return AvailableList(availablePlugins: plugins, totalCount: plugins.count)
        }
    }

    func availableCatalogPart() -> [AvailablePlugin] {
        let (index, generation) = catalog.snapshot
        if let cached = availableCache.withLock({ $0 }), cached.generation == generation { return cached.plugins }
        let plugins = index.entries.map { entry in
            let latest = entry.latest
            return AvailablePlugin(
                slug: entry.slug.value, name: latest.manifest.name, version: latest.version.description,
                versions: entry.versions.map(\.version.description),
                description: latest.manifest.description, author: latest.manifest.author,
                modulesCount: latest.manifest.modules.count,
                dependencies: Self.canonicalDependencies(latest.manifest.dependencies),
                installed: nil, installedVersion: nil)
        }
        availableCache.withLock { $0 = (generation, plugins) }
        return plugins
    }

    public func info(slug raw: String) throws(LifecycleError) -> PluginInfo {
        let slug = try Self.slug(raw)
        guard let entry = catalog.current.entry(slug) else { throw .pluginNotFound(slug: slug.value) }
        var manifest = entry.latest.manifestJSON.objectValue ?? [:]
        manifest["versions"] = .array(entry.versions.map { .string($0.version.description) })
        return PluginInfo(pluginSlug: slug.value, pluginInfo: .object(manifest))
    }

    // MARK: - Operations

    public func install(user rawUser: String, slug rawSlug: String, version rawVersion: String? = nil,
                        context: OperationContext = .cli) throws(LifecycleError) -> InstallResult {
        let user = try UserID(rawUser)
        let slug = try Self.slug(rawSlug)
        let version = try rawVersion.map { raw throws(LifecycleError) in try Self.version(raw) }
        return try install(user: user, slug: slug, version: version, context: context)
    }

    /// Installs `slug` (default: latest) for `user` with every dependency it needs that the user
    /// lacks, in one all-or-nothing step: every folder is staged and renamed into place, then all
    /// rows commit in one transaction.
    public func install(user: UserID, slug: PluginSlug, version: SemanticVersion?,
                        context: OperationContext) throws(LifecycleError) -> InstallResult {
        try install(user: user, slug: slug, version: version, context: context, alsoCommitting: [])
    }

    /// As ``install(user:slug:version:context:)``, committing `extra` changes in the same transaction.
    func install(user: UserID, slug: PluginSlug, version: SemanticVersion?, context: OperationContext,
                 alsoCommitting extra: [LifecycleDatabase.Change]) throws(LifecycleError) -> InstallResult {
        // One index for the whole operation, as the folder is now: the package and the plan of its
        // dependencies come from the same catalog, never older than what any worker has shown.
        let index = catalog.fresh
        let package = try resolve(slug, version, in: index)
        return try classified {
            if let existing = try database.installedPlugin(userID: user.value, slug: slug.value) {
                throw LifecycleError.alreadyInstalled(slug: slug.value, version: existing.plugin.version)
            }
            try requireWritableStorage()
            let plan = try DependencyPlan(for: package, catalog: index, installed: try installedVersions(user))
            let slugs = plan.packages.map(\.slug.value)
            let held = plan.reused.sorted()
            return try withOperations(on: held + slugs, user: user, kind: "install") { allOperations in
                let operations = Array(allOperations.dropFirst(held.count))
                // Under the leases: what the plan assumed must still hold.
                if let existing = try database.installedPlugin(userID: user.value, slug: slug.value) {
                    throw LifecycleError.alreadyInstalled(slug: slug.value, version: existing.plugin.version)
                }
                let recheck = try DependencyPlan(for: package, catalog: index, installed: try installedVersions(user))
                guard recheck.packages.map(\.slug.value) == slugs, recheck.reused.sorted() == held else {
                    throw LifecycleError.operationInProgress(slug: slug.value, operation: "install")
                }
                var changes: [LifecycleDatabase.Change] = allOperations.prefix(held.count).map { .release(operationID: $0.id) }
                var placed: [InstalledPlugin] = []
                for (operation, item) in zip(operations, plan.packages) {
                    let rows = try placeCopy(of: item, for: operation, previous: nil)
                    placed.append(rows)
                    changes.append(.put(rows, audit: audit(context, user, item.slug.value, "install",
                                                           from: nil, to: item.version.description),
                                        operationID: operation.id))
                }
                FaultPoint.hit("install.before-commit")
                try database.commit(changes + extra)
                logger.info("installed", metadata: ["user_id": "\(user)", "plugin_slug": "\(slug)",
                                                    "version": "\(package.version)", "with": "\(slugs.dropLast())",
                                                    "request_id": "\(context.requestID ?? "-")"])
                let main = placed.last!
                return InstallResult(pluginID: main.plugin.id, pluginSlug: slug.value,
                                     version: package.version.description,
                                     modulesCreated: main.modules.map(\.id),
                                     pluginDirectory: DataDirectory.relativePluginFolder(user, slug.value),
                                     dependenciesInstalled: Array(slugs.dropLast()))
            }
        }
    }

    func installedVersions(_ user: UserID) throws -> [String: SemanticVersion] {
        try database.installedVersions(userID: user.value).compactMapValues { SemanticVersion($0) }
    }

    /// Runs `body` holding the leases of every slug (taken in order; each rolls its own part back on failure).
    func withOperations<T>(on slugs: [String], user: UserID, kind: String, _ body: ([Operation]) throws -> T) throws -> T {
        guard let first = slugs.first else { return try body([]) }
        return try runner.run(user: user, slug: first, kind: kind) { operation in
            try withOperations(on: Array(slugs.dropFirst()), user: user, kind: kind) { rest in
                try body([operation] + rest)
            }
        }
    }

    public func uninstall(user rawUser: String, slug rawSlug: String, cascade: Bool = false,
                          context: OperationContext = .cli) throws(LifecycleError) -> UninstallResult {
        try uninstall(user: try UserID(rawUser), slug: try Self.slug(rawSlug), cascade: cascade, context: context)
    }

    /// Removes the caller's copy, or with `cascade` also every installed plugin that (transitively)
    /// needs it, in one all-or-nothing step. Dependencies it pulled in stay installed.
    public func uninstall(user: UserID, slug: PluginSlug, cascade: Bool = false,
                          context: OperationContext) throws(LifecycleError) -> UninstallResult {
        try classified {
            guard try database.installedPlugin(userID: user.value, slug: slug.value) != nil else {
                throw LifecycleError.notInstalled(slug: slug.value)
            }
            try requireWritableStorage()
            var slugs = [slug.value]
            if cascade {
                var index = 0
                while index < slugs.count {
                    for dependent in try dependents(of: slugs[index], user: user) where !slugs.contains(dependent) {
                        slugs.append(dependent)
                    }
                    index += 1
                }
            }
            return try withOperations(on: slugs, user: user, kind: "uninstall") { operations in
                var removed: [InstalledPlugin] = []
                for name in slugs {
                    guard let existing = try database.installedPlugin(userID: user.value, slug: name) else {
                        throw LifecycleError.notInstalled(slug: name)
                    }
                    removed.append(existing)
                }
                let remaining = try dependents(of: slug.value, user: user).filter { !slugs.contains($0) }
                if !remaining.isEmpty { throw LifecycleError.dependencyInUse(slug: slug.value, dependents: remaining) }
                var changes: [LifecycleDatabase.Change] = []
                for (operation, existing) in zip(operations, removed) {
                    if FileTree.exists(operation.target) {
                        try FileTree.rename(operation.target, operation.oldFolder)
                    }
                    changes.append(.remove(pluginID: existing.plugin.id,
                                           audit: audit(context, user, existing.plugin.pluginSlug, "uninstall",
                                                        from: existing.plugin.version, to: nil),
                                           operationID: operation.id))
                }
                try FileTree.syncDirectory(directory.userFolder(user))
                FaultPoint.hit("uninstall.before-commit")
                try database.commit(changes)
                runner.removeEmptyUserFolder(user)
                logger.info("uninstalled", metadata: ["user_id": "\(user)", "plugins": "\(slugs)",
                                                      "request_id": "\(context.requestID ?? "-")"])
                return UninstallResult(pluginID: removed[0].plugin.id, pluginSlug: slug.value,
                                       deletedModules: removed.flatMap { $0.modules.map(\.id) }, uninstalled: slugs)
            }
        }
    }

    public func status(user rawUser: String, slug rawSlug: String, verify: VerifyMode = .sizes) throws(LifecycleError) -> StatusReport {
        try status(user: try UserID(rawUser), slug: try Self.slug(rawSlug), verify: verify)
    }

    public func status(user: UserID, slug: PluginSlug, verify: VerifyMode) throws(LifecycleError) -> StatusReport {
        try classified {
            // A process that died mid-operation may have left its uncommitted copy in place (healthy-looking
            // or not; for an install, a folder with no row at all): roll it back before looking, so status
            // always describes the committed state.
            let snapshot = try database.leaseAndHealthRows(userID: user.value, slug: slug.value)
            var installed = snapshot.plugin
            if try runner.recoverIfAbandoned(user: user, slug: slug.value, lease: snapshot.lease) {
                installed = try database.healthRows(userID: user.value, slug: slug.value)
            }
            guard let installed else {
                guard catalog.current.entry(slug) != nil else { throw LifecycleError.pluginNotFound(slug: slug.value) }
                return StatusReport(pluginSlug: slug.value, exists: false, status: .notInstalled, pluginID: nil,
                                    version: nil, enabled: nil, filesExist: false,
                                    files: .init(expected: 0, missing: [], modified: []),
                                    modulesStatus: .init(allLoaded: false, loadedCount: 0, expectedCount: 0))
            }
            return inspect(installed, user: user, verify: verify)
        }
    }

    public func repair(user rawUser: String, slug rawSlug: String, context: OperationContext = .cli) throws(LifecycleError) -> RepairResult {
        try repair(user: try UserID(rawUser), slug: try Self.slug(rawSlug), context: context)
    }

    public func repair(user: UserID, slug: PluginSlug, context: OperationContext) throws(LifecycleError) -> RepairResult {
        try classified {
            guard try database.installedPlugin(userID: user.value, slug: slug.value) != nil else {
                throw LifecycleError.notInstalled(slug: slug.value)
            }
            try requireWritableStorage()
            return try runner.run(user: user, slug: slug.value, kind: "repair") { operation in
                guard let existing = try database.installedPlugin(userID: user.value, slug: slug.value) else {
                    throw LifecycleError.notInstalled(slug: slug.value)
                }
                let before = inspect(existing, user: user, verify: .full)
                if before.status == .healthy {
                    try database.releaseLease(operationID: operation.id)
                    return RepairResult(pluginSlug: slug.value, oldStatus: .healthy, newStatus: .healthy, repairActions: [])
                }
                guard let version = SemanticVersion(existing.plugin.version),
                      let package = catalog.current.package(slug, version: version) else {
                    throw LifecycleError.versionNotFound(slug: slug.value, version: existing.plugin.version)
                }
                var actions: [String] = []
                var repaired: InstalledPlugin
                if before.status == .filesMissing || before.status == .filesModified {
                    repaired = try placeCopy(of: package, for: operation, previous: existing)
                    actions += before.files.missing.map { "restored missing file \($0)" }
                    actions += before.files.modified.map { "restored modified file \($0)" }
                } else {
                    repaired = rows(for: package, user: user, operationID: existing.plugin.operationID,
                                    files: existing.files.map { CopiedFile(path: $0.path, size: $0.size, sha256: $0.sha256) })
                }
                let present = Set(existing.modules.map(\.name))
                actions += repaired.modules.filter { !present.contains($0.name) }.map { "recreated module record \($0.name)" }
                if actions.isEmpty { actions.append("resynchronised module records") }
                FaultPoint.hit("repair.before-commit")
                try database.commitPlugin(repaired, audit: audit(context, user, slug.value, "repair",
                                                                  from: existing.plugin.version, to: existing.plugin.version),
                                          releasing: operation.id)
                let after = try database.installedPlugin(userID: user.value, slug: slug.value)
                    .map { inspect($0, user: user, verify: .full).status } ?? .notInstalled
                logger.info("repaired", metadata: ["user_id": "\(user)", "plugin_slug": "\(slug)",
                                                   "actions": "\(actions.count)", "request_id": "\(context.requestID ?? "-")"])
                return RepairResult(pluginSlug: slug.value, oldStatus: before.status, newStatus: after, repairActions: actions)
            }
        }
    }

    /// Database and catalog liveness, for `health`.
    public func health() throws(LifecycleError) {
        try classified { try database.ping() }
    }
}
