import Foundation
import LifecycleCore
import PluginCatalog

/// Turns BrainDrive's per-user `plugin` rows (files shared per version) into user-scoped installs:
/// each user gets a real copy in `plugins/{user}/{slug}/` with modules and checksums recorded,
/// through `LifecycleService.importPackage` (all-or-nothing, idempotent).
///
/// Reads the legacy database through a read-only connection and the legacy folder without
/// writing to it; never runs BrainDrive code. Defects of the legacy data are reported, not fatal.
public struct LegacyMigrator: Sendable {
    public struct Options: Sendable {
        /// Without it nothing is written anywhere (dry run).
        public var apply: Bool
        /// Skip (do not migrate) the plugins a user received only from the initializer.
        public var dropInitializerPlugins: Bool
        public var context: OperationContext

        public init(apply: Bool = false, dropInitializerPlugins: Bool = false,
                    context: OperationContext = OperationContext(actor: "migrate-legacy")) {
            self.apply = apply; self.dropInitializerPlugins = dropInitializerPlugins; self.context = context
        }
    }

    /// Slugs (canonical, `braindrive_` prefix removed) BrainDrive's initializer gave every new user.
    public static let initializerSlugs: Set<String> = ["settings", "chat", "ollama", "library"]

    /// `installation_type` / `source` values of the per-user metadata file that mean the user
    /// installed the plugin themselves (BrainDrive's remote installer writes `remote` / `github`).
    public static let userInstallMarkers: Set<String> = ["remote", "user", "manual", "local", "github", "url", "upload"]

    public let legacyDatabasePath: String
    public let pluginsDirectory: String

    public init(legacyDatabase: String, pluginsDirectory: String) {
        legacyDatabasePath = legacyDatabase
        self.pluginsDirectory = (pluginsDirectory as NSString).standardizingPath
    }

    /// The rule for "given only by the initializer": the canonical slug, without a `braindrive_`
    /// prefix, is one of `initializerSlugs`, AND the user's metadata file
    /// `{plugins}/{user_id}/.metadata/{plugin_id}_remote.json` is absent, unreadable, or has neither
    /// an `installation_type` nor a `source` in `userInstallMarkers`.
    public func isFromInitializer(slug: PluginSlug, legacyUserID: String, legacyPluginID: String) -> Bool {
        let bare = slug.value.hasPrefix("braindrive_") ? String(slug.value.dropFirst("braindrive_".count)) : slug.value
        guard Self.initializerSlugs.contains(bare) else { return false }
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
    public func run(options: Options, service: LifecycleService?) throws -> MigrationReport {
        if options.apply && service == nil { throw LegacyMigrationError.serviceRequired }
        let snapshot = try LegacySnapshot.read(path: legacyDatabasePath)
        let folders = LegacyFolders(root: pluginsDirectory)
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
        var pending: [(String, UserID, CatalogPackage)] = []

        // Canonical slug order; of two spellings of one slug, the row already spelled canonically wins, then the lower id.
        let rows = snapshot.plugins.map { row -> (String, Int, LegacyPlugin) in
            let canonical = (try? PluginSlug(row.slug))?.value ?? row.slug
            return (canonical, canonical == row.slug ? 0 : 1, row)
        }
        .sorted { ($0.2.userID, $0.0, $0.1, $0.2.id) < ($1.2.userID, $1.0, $1.1, $1.2.id) }.map(\.2)
        for row in rows {
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
            guard let slug = try? PluginSlug(row.slug), !slug.isReserved else {
                defect(.invalidSlug, "slug '\(row.slug)' has no valid canonical form")
                skip("invalid slug")
                continue
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
            let fromInitializer = isFromInitializer(slug: slug, legacyUserID: row.userID, legacyPluginID: row.id)
            if options.dropInitializerPlugins && fromInitializer {
                skip("given only by the initializer (--drop-initializer-plugins)")
                continue
            }
            guard let folder = folders.locate(slug: slug, legacySlug: row.slug, version: version, rawVersion: rawVersion,
                                              report: { defect($0, $1) }) else {
                skip("no folder for version \(rawVersion)")
                continue
            }
            let files = LegacyFolders.files(in: folder.path, report: { defect($0, "\(folder.relative): \($1)") })
            let manifest = buildManifest(row, slug: slug, version: version, modules: modulesByPlugin[row.id] ?? [],
                                         report: { defect($0, $1) })
            let package: CatalogPackage
            do {
                package = try makePackage(manifest.manifest, slug: slug, version: version,
                                          dependencies: manifest.dependencies, directory: folder.path, files: files)
            } catch {
                skip("cannot describe the package: \(error)")
                continue
            }
            users[userKey]!.toMigrate.append(.init(
                slug: slug.value, legacySlug: row.slug, legacyPluginID: row.id, version: version.description,
                modules: package.moduleNames, fileCount: files.count, totalBytes: package.totalBytes,
                sourceFolder: folder.relative, fromInitializer: fromInitializer))
            pending.append((userKey, user, package))
        }

        // Already present, then (with --apply) import each, one user plugin at a time.
        var installedCache: [String: Set<String>] = [:]
        for (userKey, user, package) in pending {
            if let service {
                if installedCache[userKey] == nil {
                    installedCache[userKey] = Set(((try? service.installed(user: user))?.installedPlugins ?? []).map(\.pluginSlug))
                }
                if installedCache[userKey]!.contains(package.slug.value) {
                    moveToPresent(&users[userKey]!, package.slug.value)
                    continue
                }
            }
            guard options.apply, let service else { continue }
            do {
                if try service.importPackage(package, for: user, context: options.context) == nil {
                    moveToPresent(&users[userKey]!, package.slug.value)
                } else if let entry = users[userKey]!.toMigrate.first(where: { $0.slug == package.slug.value }) {
                    users[userKey]!.migrated.append(entry)
                }
            } catch {
                let entry = users[userKey]!.toMigrate.first { $0.slug == package.slug.value }
                users[userKey]!.failed.append(.init(legacySlug: entry?.legacySlug ?? package.slug.value,
                                                    legacyPluginID: entry?.legacyPluginID ?? "", reason: error.description))
            }
        }

        var report = MigrationReport(mode: options.apply ? .apply : .dryRun, dropInitializerPlugins: options.dropInitializerPlugins,
                                     users: order.sorted().map { users[$0]!.sorted() }, defects: defects, totals: .init())
        report.computeTotals(pluginRows: snapshot.plugins.count)
        return report
    }

    private func moveToPresent(_ user: inout MigrationReport.UserReport, _ slug: String) {
        user.toMigrate.removeAll { $0.slug == slug }
        user.alreadyPresent.append(slug)
    }
}
