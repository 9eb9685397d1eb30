import Foundation
import LifecycleStore
import PluginCatalog

/// Installs from a package that is not in the catalog (a legacy folder being migrated), with the
/// same staging, swap, commit and rollback as any install, and no dependency resolution.
extension LifecycleService {
    /// `enabled` and `disabledModules` (module names) are committed with the rows, so an import
    /// is never seen, even after a crash, with something switched on that its source had off.
    /// - Returns: the install result, or `nil` when the user already has the plugin (imports are idempotent).
    package func importPackage(_ package: CatalogPackage, for user: UserID, enabled: Bool = true,
                              disabledModules: Set<String> = [],
                              context: OperationContext) throws(LifecycleError) -> InstallResult? {
        try classified {
            if try database.installedPlugin(userID: user.value, slug: package.slug.value) != nil { return nil }
            try requireWritableStorage()
            return try runner.run(user: user, slug: package.slug.value, kind: "import") { operation in
                if try database.installedPlugin(userID: user.value, slug: package.slug.value) != nil {
                    try database.releaseLease(operationID: operation.id)
                    return nil
                }
                var rows = try placeCopy(of: package, for: operation, previous: nil)
                rows.plugin.enabled = enabled
                for index in rows.modules.indices where disabledModules.contains(rows.modules[index].name) {
                    rows.modules[index].enabled = false
                }
                try database.commitPlugin(rows, audit: audit(context, user, package.slug.value, "migrate",
                                                             from: nil, to: package.version.description),
                                          releasing: operation.id)
                return InstallResult(pluginID: rows.plugin.id, pluginSlug: package.slug.value,
                                     version: package.version.description, modulesCreated: rows.modules.map(\.id),
                                     pluginDirectory: DataDirectory.relativePluginFolder(user, package.slug.value),
                                     dependenciesInstalled: [])
            }
        }
    }
}
