import LifecycleCore
import PluginCatalog

extension LegacyMigrator {
    /// One planned install: the package built from a legacy row, and the row's switched-off state.
    struct Pending {
        var userKey: String
        var user: UserID
        var package: CatalogPackage
        var legacyPluginID: String
        var enabled: Bool
        var disabledModules: [String]
    }

    /// Tells "already present" (and a version that differs from the row's, as a defect) and, with
    /// `--apply`, imports the package with what the legacy rows had switched off.
    func apply(_ item: Pending, options: Options, service: LifecycleService?,
               users: inout [String: MigrationReport.UserReport], defects: inout [MigrationReport.Defect]) {
        guard let service else { return }
        let slug = item.package.slug.value
        let installed = (try? service.installed(user: item.user))?.installedPlugins.first { $0.pluginSlug == slug }
        if let installed {
            let wanted = item.package.version.description
            if installed.version != wanted {
                defects.append(.init(kind: .versionConflict, userID: item.userKey, pluginID: item.legacyPluginID,
                                     detail: "'\(slug)' is already installed at \(installed.version); the legacy row names \(wanted); "
                                         + "left at \(installed.version)"))
            }
            moveToPresent(&users[item.userKey]!, slug)
            return
        }
        guard options.apply else { return }
        let entry = users[item.userKey]!.toMigrate.first { $0.slug == slug }
        func fail(_ reason: String) {
            users[item.userKey]!.failed.append(.init(legacySlug: entry?.legacySlug ?? slug,
                                                     legacyPluginID: item.legacyPluginID, reason: reason))
        }
        do {
            // Switched off in the import's own transaction: no crash leaves it switched on.
            guard try service.importPackage(item.package, for: item.user, enabled: item.enabled,
                                            disabledModules: Set(item.disabledModules), context: options.context) != nil else {
                moveToPresent(&users[item.userKey]!, slug)
                return
            }
        } catch {
            fail(error.description)
            return
        }
        if let entry { users[item.userKey]!.migrated.append(entry) }
    }

    private func moveToPresent(_ user: inout MigrationReport.UserReport, _ slug: String) {
        user.toMigrate.removeAll { $0.slug == slug }
        user.alreadyPresent.append(slug)
    }
}
