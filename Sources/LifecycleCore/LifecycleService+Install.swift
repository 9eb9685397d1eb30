import Foundation
import LifecycleStore
import PluginCatalog

/// Installing a plugin with the dependencies it needs.
extension LifecycleService {
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
    package func install(user: UserID, slug: PluginSlug, version: SemanticVersion?,
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
}
