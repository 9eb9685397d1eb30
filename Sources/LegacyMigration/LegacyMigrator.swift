import Foundation
import LifecycleCore
import PluginCatalog
import Posix

/// Turns BrainDrive's per-user `plugin` rows (files shared per version) into user-scoped installs:
/// each user gets a real copy in `plugins/{user}/{slug}/` with modules and checksums recorded,
/// through `LifecycleService.importPackage` (all-or-nothing, idempotent).
///
/// Reads the legacy database through a read-only connection and the legacy folder without
/// writing to it; never runs BrainDrive code. Defects of the legacy data are reported, not fatal.
package struct LegacyMigrator: Sendable {
    package struct Options: Sendable {
        /// Without it nothing is written anywhere (dry run).
        package var apply: Bool
        /// Skip (do not migrate) the plugins a user received only from the initializer.
        package var dropInitializerPlugins: Bool
        package var context: OperationContext
        /// The catalog folder whose `legacy_slugs` map legacy slugs; default: the service's catalog.
        package var catalogRoot: String?

        package init(apply: Bool = false, dropInitializerPlugins: Bool = false,
                    context: OperationContext = OperationContext(actor: "migrate-legacy"), catalogRoot: String? = nil) {
            self.apply = apply; self.dropInitializerPlugins = dropInitializerPlugins; self.context = context
            self.catalogRoot = catalogRoot
        }
    }

    /// The plugins BrainDrive's initializer gave every new user, by their bare name (see `bareName`):
    /// `BrainDriveSettings`, `BrainDriveChat`, `BrainDriveOllama`, `BrainDriveLibraryPlugin`.
    package static let initializerSlugs: Set<String> = ["settings", "chat", "ollama", "library"]

    /// A slug compared as the initializer rule compares it: lowercase letters and digits only
    /// (case, '-' and '_' ignored), without a leading `braindrive` and a trailing `plugin`
    /// (`BrainDriveLibraryPlugin` → `library`, `braindrive_chat` → `chat`).
    static func bareName(_ slug: String) -> String {
        var name = String(slug.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
        if name.hasPrefix("braindrive") { name.removeFirst("braindrive".count) }
        if name.hasSuffix("plugin") && name != "plugin" { name.removeLast("plugin".count) }
        return name
    }

    /// `installation_type` / `source` values of the per-user metadata file that mean the user
    /// installed the plugin themselves (BrainDrive's remote installer writes `remote` / `github`).
    package static let userInstallMarkers: Set<String> = ["remote", "user", "manual", "local", "github", "url", "upload"]

    package let legacyDatabasePath: String
    package let pluginsDirectory: String

    package init(legacyDatabase: String, pluginsDirectory: String) {
        legacyDatabasePath = legacyDatabase
        self.pluginsDirectory = (pluginsDirectory as NSString).standardizingPath
    }

    /// The rule for "given only by the initializer": the row's slug (or the catalog slug it maps
    /// to) has a `bareName` in `initializerSlugs`, AND the user's metadata file
    /// `{plugins}/{user_id}/.metadata/{plugin_id}_remote.json` is absent, unreadable, or has neither
    /// an `installation_type` nor a `source` in `userInstallMarkers`.
    package func isFromInitializer(legacySlug: String, slug: PluginSlug, legacyUserID: String, legacyPluginID: String) -> Bool {
        guard [legacySlug, slug.value].contains(where: { Self.initializerSlugs.contains(Self.bareName($0)) }) else { return false }
        // The ids come from the legacy rows: refuse anything that could leave the folder.
        guard Self.isSafeComponent(legacyUserID), Self.isSafeComponent(legacyPluginID + "_remote.json") else { return true }
        let path = "\(pluginsDirectory)/\(legacyUserID)/.metadata/\(legacyPluginID)_remote.json"
        guard let data = FileManager.default.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return true }
        let markers = ["installation_type", "source"].compactMap { (object[$0] as? String)?.lowercased() }
        return !markers.contains(where: Self.userInstallMarkers.contains)
    }

    static func isSafeComponent(_ text: String) -> Bool {
        !text.isEmpty && text != "." && text != ".." && !text.contains("/") && !text.contains("\0")
    }

    /// Plans the migration and, with `options.apply`, performs it. `service` may be nil for a dry
    /// run (then "already present" is not known); `--apply` needs it.
    package func run(options: Options, service: LifecycleService?) throws -> MigrationReport {
        if options.apply && service == nil { throw LegacyMigrationError.serviceRequired }
        guard FileTree.isDirectory((pluginsDirectory as NSString).resolvingSymlinksInPath) else {
            throw LegacyMigrationError.pluginsDirectoryMissing(path: pluginsDirectory)
        }
        let snapshot = try LegacySnapshot.read(path: legacyDatabasePath)
        let folders = LegacyFolders(root: pluginsDirectory)
        let slugMap = LegacySlugMap(catalog: options.catalogRoot.map { CatalogIndex.load(root: URL(fileURLWithPath: $0)) }
                                        ?? service?.catalog.fresh)
        var defects: [MigrationReport.Defect] = []

        let pluginIDs = Set(snapshot.plugins.map(\.id))
        var modulesByPlugin: [String: [LegacyModule]] = [:]
        for module in snapshot.modules {
            if pluginIDs.contains(module.pluginID) {
                modulesByPlugin[module.pluginID, default: []].append(module)
            } else {
                defects.append(.init(kind: .orphanModule, pluginID: module.pluginID,
                                     detail: "module row '\(module.id)' names plugin '\(module.pluginID)', which has no plugin row; ignored"))
            }
        }
        for (table, count) in snapshot.otherReferences.sorted(by: { $0.key < $1.key }) where count > 0 {
            defects.append(.init(kind: .unownedReferences,
                                 detail: "table \(table) has \(count) rows that may name plugins; not migrated (not owned by the lifecycle service)"))
        }

        var users: [String: MigrationReport.UserReport] = [:]
        var order: [String] = []
        var seen: Set<String> = []  // "user\0slug"
        var pending: [Pending] = []

        // Catalog slug order; of two rows for one slug, the row already spelled as the catalog slug wins, then the lower id.
        let rows = snapshot.plugins.map { row -> (LegacySlugMap.Resolution, String, Int, LegacyPlugin) in
            let resolution = slugMap.resolve(row.slug)
            let target = if case .mapped(let slug, _) = resolution { slug.value } else { row.slug }
            return (resolution, target, target == row.slug ? 0 : 1, row)
        }
        .sorted { ($0.3.userID, $0.1, $0.2, $0.3.id) < ($1.3.userID, $1.1, $1.2, $1.3.id) }
        for (resolution, _, _, row) in rows {
            let userKey = row.userID
            if users[userKey] == nil { users[userKey] = .init(userID: userKey); order.append(userKey) }
            func skip(_ reason: String) {
                users[userKey]!.skipped.append(.init(legacySlug: row.slug, legacyPluginID: row.id, reason: reason))
            }
            func defect(_ kind: MigrationReport.Defect.Kind, _ detail: String) {
                defects.append(.init(kind: kind, userID: row.userID, pluginID: row.id, detail: detail))
            }
            guard let user = try? UserID(row.userID) else {
                defect(.invalidUserID, "user id '\(row.userID)' is not a valid user id")
                skip("invalid user id")
                continue
            }
            let slug: PluginSlug, via: LegacySlugMap.Via
            switch resolution {
            case .mapped(let mapped, let how) where !mapped.isReserved: slug = mapped; via = how
            case .conflict(let claims):
                defect(.legacySlugConflict, "slug '\(row.slug)' is listed in legacy_slugs of several catalog plugins "
                       + "(\(claims.map(\.value).joined(separator: ", "))); fix the catalog")
                skip("'\(row.slug)' is claimed by several catalog plugins")
                continue
            case .mapped, .invalid:
                defect(.invalidSlug, "slug '\(row.slug)' has no valid canonical form")
                skip("invalid slug")
                continue
            }
            if row.id != "\(row.userID)_\(row.slug)" {
                defect(.unexpectedPluginID, "plugin id '\(row.id)' is not '{user_id}_{plugin_slug}' ('\(row.userID)_\(row.slug)'); "
                       + "its module rows are matched by this id, the install gets '\(user.value)_\(slug)'")
            }
            guard seen.insert(user.value + "\u{0}" + slug.value).inserted else {
                defect(.duplicatePlugin, "another row of this user already names '\(slug)'; only the first is migrated")
                skip("duplicate of another row for '\(slug)'")
                continue
            }
            guard let rawVersion = row.version, let version = SemanticVersion(rawVersion) else {
                defect(.invalidVersion, "version '\(row.version ?? "")' is not a semantic version")
                skip("invalid version '\(row.version ?? "")'")
                continue
            }
            let fromInitializer = isFromInitializer(legacySlug: row.slug, slug: slug, legacyUserID: row.userID, legacyPluginID: row.id)
            if options.dropInitializerPlugins && fromInitializer {
                skip("given only by the initializer (--drop-initializer-plugins)")
                continue
            }
            // Folders are named as BrainDrive spelled the slug; a folder named as the catalog slug also serves.
            let folderSlugs = [(try? PluginSlug(row.slug)), slug].compactMap { $0 }
            guard let folder = folders.locate(slugs: folderSlugs, legacySlug: row.slug, version: version, rawVersion: rawVersion,
                                              report: { defect($0, $1) }) else {
                skip("no folder for version \(rawVersion)")
                continue
            }
            let files = LegacyFolders.files(in: folder.path, report: { defect($0, "\(folder.relative): \($1)") })
            let modules = modulesByPlugin[row.id] ?? []
            let manifest = buildManifest(row, slug: slug, version: version, modules: modules, slugMap: slugMap,
                                         report: { defect($0, $1) })
            let package: CatalogPackage
            do {
                package = try makePackage(manifest.manifest, slug: slug, version: version,
                                          dependencies: manifest.dependencies, directory: folder.path, files: files)
            } catch {
                skip("cannot describe the package: \(error)")
                continue
            }
            let migrated = Set(package.moduleNames)
            let disabledModules = modules.filter { !$0.enabled }.compactMap(\.name).filter(migrated.contains).sorted()
            users[userKey]!.toMigrate.append(.init(
                slug: slug.value, legacySlug: row.slug, legacyPluginID: row.id, mappedBy: via.rawValue,
                inCatalog: slugMap.isInCatalog(slug), version: version.description,
                modules: package.moduleNames, fileCount: files.count, totalBytes: package.totalBytes,
                sourceFolder: folder.relative, fromInitializer: fromInitializer,
                enabled: row.enabled, disabledModules: disabledModules))
            pending.append(Pending(userKey: userKey, user: user, package: package, legacyPluginID: row.id,
                                   enabled: row.enabled, disabledModules: disabledModules))
        }

        for item in pending {
            apply(item, options: options, service: service, users: &users, defects: &defects)
        }

        var report = MigrationReport(mode: options.apply ? .apply : .dryRun, dropInitializerPlugins: options.dropInitializerPlugins,
                                     users: order.sorted().map { users[$0]!.sorted() }, defects: defects, totals: .init())
        report.computeTotals(pluginRows: snapshot.plugins.count)
        return report
    }
}
