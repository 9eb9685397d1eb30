import Foundation
import LifecycleStore
import PluginCatalog

/// Updates (downgrades included) and the list of updates available.
extension LifecycleService {
    /// Moves the caller's copy to `version` (default: latest). The new version is staged beside the
    /// old one, module rows are resynced in the transaction that switches the version, and the old
    /// files are removed only after that commit; any failure leaves the old version in place.
    package func update(user: UserID, slug: PluginSlug, version: SemanticVersion?,
                       context: OperationContext) throws(LifecycleError) -> UpdateResult {
        guard let entry = catalog.fresh.entry(slug) else {
            // Not in the catalog: say "not installed" first if that is also true.
            if (try classified { try database.installedPlugin(userID: user.value, slug: slug.value) }) == nil {
                throw .notInstalled(slug: slug.value)
            }
            throw .pluginNotFound(slug: slug.value)
        }
        let target: CatalogPackage
        if let version {
            guard let package = entry.package(version) else { throw .versionNotFound(slug: slug.value, version: version.description) }
            target = package
        } else {
            target = entry.latest
        }
        return try classified {
            guard let current = try database.installedPlugin(userID: user.value, slug: slug.value) else {
                throw LifecycleError.notInstalled(slug: slug.value)
            }
            if current.plugin.version == target.version.description {
                return UpdateResult(pluginID: current.plugin.id, pluginSlug: slug.value, previousVersion: current.plugin.version,
                                    newVersion: current.plugin.version, modulesAdded: [], modulesRemoved: [])
            }
            try requireWritableStorage()
            // Hold the installed dependencies of the target version too, so none of them can be
            // uninstalled or moved out of range between the check and the commit.
            let installedSlugs = Set(try database.installedVersions(userID: user.value).keys)
            let held = target.dependencies.keys.map(\.value).filter { installedSlugs.contains($0) && $0 != slug.value }.sorted()
            return try withOperations(on: held + [slug.value], user: user, kind: "update") { operations in
                let operation = operations.last!
                guard let existing = try database.installedPlugin(userID: user.value, slug: slug.value) else {
                    throw LifecycleError.notInstalled(slug: slug.value)
                }
                try checkDependencies(of: target, for: user)
                let updated = try placeCopy(of: target, for: operation, previous: existing)
                let before = Set(existing.modules.map(\.id))
                let after = Set(updated.modules.map(\.id))
                FaultPoint.hit("update.before-commit")
                try database.commit(operations.dropLast().map { .release(operationID: $0.id) } + [
                    .put(updated, audit: audit(context, user, slug.value, "update",
                                               from: existing.plugin.version, to: target.version.description),
                         operationID: operation.id)])
                logger.info("updated", metadata: ["user_id": "\(user)", "plugin_slug": "\(slug)",
                                                  "from": "\(existing.plugin.version)", "to": "\(target.version)",
                                                  "request_id": "\(context.requestID ?? "-")"])
                return UpdateResult(pluginID: existing.plugin.id, pluginSlug: slug.value,
                                    previousVersion: existing.plugin.version, newVersion: target.version.description,
                                    modulesAdded: updated.modules.map(\.id).filter { !before.contains($0) },
                                    modulesRemoved: existing.modules.map(\.id).filter { !after.contains($0) })
            }
        }
    }

    /// The version `package` would bring must fit the caller's other plugins both ways: its own
    /// dependencies must be installed at satisfying versions, and every installed plugin that
    /// depends on it must accept its version.
    func checkDependencies(of package: CatalogPackage, for user: UserID) throws {
        let rows = try database.plugins(userID: user.value)
        let installed = Dictionary(rows.map { ($0.pluginSlug, $0) }, uniquingKeysWith: { a, _ in a })
        for (dependency, range) in package.dependencies.sorted(by: { $0.key < $1.key }) {
            guard let row = installed[dependency.value], let version = SemanticVersion(row.version), range.contains(version) else {
                throw LifecycleError.dependencyUnsatisfied(slug: package.slug.value, dependency: dependency.value, range: range.description)
            }
        }
        for row in rows where row.pluginSlug != package.slug.value {
            guard let data = row.manifestJSON.data(using: .utf8),
                  let manifest = try? JSONDecoder().decode(PluginManifest.self, from: data) else { continue }
            for (raw, rangeText) in manifest.dependencies where (try? PluginSlug(raw))?.value == package.slug.value {
                if let range = try? VersionRange(rangeText), !range.contains(package.version) {
                    throw LifecycleError.dependencyUnsatisfied(slug: row.pluginSlug, dependency: package.slug.value, range: rangeText)
                }
            }
        }
    }

    public func updates(user: UserID) throws(LifecycleError) -> UpdatesList {
        let list = try installed(user: user)
        let updates = list.installedPlugins.filter(\.updateAvailable).map {
            UpdatesList.Update(pluginSlug: $0.pluginSlug, pluginID: $0.pluginID, currentVersion: $0.version,
                               latestVersion: $0.latestVersion ?? $0.version)
        }
        return UpdatesList(availableUpdates: updates, totalCount: updates.count)
    }
}
