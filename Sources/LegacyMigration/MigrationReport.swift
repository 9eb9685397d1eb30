import Foundation

/// What `migrate-legacy` found and did: per user, per plugin, plus every defect of the legacy data.
/// Codable (snake_case keys) for `--json`; `text` renders it for people.
package struct MigrationReport: Codable, Sendable, Equatable {
    package enum Mode: String, Codable, Sendable { case dryRun = "dry_run", apply }

    /// One legacy plugin row that is (or would be) turned into an install.
    package struct PluginEntry: Codable, Sendable, Equatable {
        /// Canonical slug in our system.
        package var slug: String
        /// The slug as the legacy row spells it.
        package var legacySlug: String
        package var legacyPluginID: String
        /// How `legacySlug` became `slug`: `legacy_slugs` (a catalog manifest lists it exactly),
        /// `legacy_slugs_normalised` (lists it in another spelling) or `normalised` (no manifest does).
        package var mappedBy: String
        /// The catalog has `slug`: update, repair and `available` know the install.
        package var inCatalog: Bool
        package var version: String
        package var modules: [String]
        package var fileCount: Int
        package var totalBytes: Int64
        /// The folder the files come from, relative to the plugins folder.
        package var sourceFolder: String
        /// The initializer gave it (see `LegacyMigrator.isFromInitializer`).
        package var fromInitializer: Bool
        /// The legacy row's `enabled`; a disabled plugin is migrated disabled.
        package var enabled: Bool
        /// Modules whose legacy row has `enabled = 0`, migrated switched off.
        package var disabledModules: [String]

        enum CodingKeys: String, CodingKey {
            case slug, version, modules, enabled
            case legacySlug = "legacy_slug", legacyPluginID = "legacy_plugin_id", fileCount = "file_count"
            case totalBytes = "total_bytes", sourceFolder = "source_folder", fromInitializer = "from_initializer"
            case mappedBy = "mapped_by", inCatalog = "in_catalog", disabledModules = "disabled_modules"
        }
    }

    package struct SkippedPlugin: Codable, Sendable, Equatable {
        package var legacySlug: String
        package var legacyPluginID: String
        package var reason: String
        enum CodingKeys: String, CodingKey { case reason, legacySlug = "legacy_slug", legacyPluginID = "legacy_plugin_id" }
    }

    package struct UserReport: Codable, Sendable, Equatable {
        package var userID: String
        /// Dry run: what `--apply` would migrate. Apply: what was attempted.
        package var toMigrate: [PluginEntry] = []
        /// Apply only: installed by this run.
        package var migrated: [PluginEntry] = []
        package var skipped: [SkippedPlugin] = []
        /// Canonical slugs the user already has in our system (nothing to do).
        package var alreadyPresent: [String] = []
        /// Apply only: the import failed (the user's plugin was left as before).
        package var failed: [SkippedPlugin] = []

        package init(userID: String) { self.userID = userID }

        func sorted() -> UserReport {
            var copy = self
            copy.toMigrate.sort { $0.slug < $1.slug }
            copy.migrated.sort { $0.slug < $1.slug }
            copy.alreadyPresent.sort()
            return copy
        }

        enum CodingKeys: String, CodingKey {
            case skipped, migrated, failed
            case userID = "user_id", toMigrate = "to_migrate", alreadyPresent = "already_present"
        }
    }

    package struct Defect: Codable, Sendable, Equatable {
        package enum Kind: String, Codable, Sendable {
            case orphanModule = "orphan_module"
            case missingFolder = "missing_folder"
            case slugSpelling = "slug_spelling"
            case versionOrder = "version_order"
            case ambiguousFolder = "ambiguous_folder"
            case invalidVersion = "invalid_version"
            case invalidSlug = "invalid_slug"
            case invalidUserID = "invalid_user_id"
            case invalidModuleName = "invalid_module_name"
            case duplicateModule = "duplicate_module"
            case duplicatePlugin = "duplicate_plugin"
            case invalidJSON = "invalid_json"
            case invalidDependency = "invalid_dependency"
            case skippedFile = "skipped_file"
            case unreadableFile = "unreadable_file"
            case unownedReferences = "unowned_references"
            /// Two catalog manifests list the row's slug in `legacy_slugs`.
            case legacySlugConflict = "legacy_slug_conflict"
            /// The row's id is not `{user_id}_{plugin_slug}`.
            case unexpectedPluginID = "unexpected_plugin_id"
            /// The user already has the plugin, at another version than the row's.
            case versionConflict = "version_conflict"
        }
        package var kind: Kind
        package var userID: String?
        package var pluginID: String?
        package var detail: String

        package init(kind: Kind, userID: String? = nil, pluginID: String? = nil, detail: String) {
            self.kind = kind; self.userID = userID; self.pluginID = pluginID; self.detail = detail
        }

        enum CodingKeys: String, CodingKey { case kind, detail, userID = "user_id", pluginID = "plugin_id" }
    }

    package struct Totals: Codable, Sendable, Equatable {
        package var users = 0
        package var pluginRows = 0
        package var toMigrate = 0
        package var migrated = 0
        package var skipped = 0
        package var alreadyPresent = 0
        package var failed = 0
        package var defects = 0
        enum CodingKeys: String, CodingKey {
            case users, migrated, skipped, failed, defects
            case pluginRows = "plugin_rows", toMigrate = "to_migrate", alreadyPresent = "already_present"
        }
    }

    package var mode: Mode
    package var dropInitializerPlugins: Bool
    package var users: [UserReport]
    package var defects: [Defect]
    package var totals: Totals

    enum CodingKeys: String, CodingKey {
        case mode, users, defects, totals
        case dropInitializerPlugins = "drop_initializer_plugins"
    }

    mutating func computeTotals(pluginRows: Int) {
        var t = Totals()
        t.users = users.count
        t.pluginRows = pluginRows
        for user in users {
            t.toMigrate += user.toMigrate.count
            t.migrated += user.migrated.count
            t.skipped += user.skipped.count
            t.alreadyPresent += user.alreadyPresent.count
            t.failed += user.failed.count
        }
        t.defects = defects.count
        totals = t
    }

    /// Human-readable form (the default output of the command).
    package var text: String {
        var lines: [String] = []
        lines.append(mode == .dryRun ? "Dry run: nothing was changed (pass --apply to migrate)."
                                     : "Applied.")
        if dropInitializerPlugins { lines.append("Plugins given only by the initializer are dropped.") }
        for user in users {
            lines.append("user \(user.userID): \(user.toMigrate.count) to migrate, \(user.migrated.count) migrated, "
                + "\(user.skipped.count) skipped, \(user.alreadyPresent.count) already present, \(user.failed.count) failed")
            let done = Set(user.migrated.map(\.slug))
            for entry in user.toMigrate {
                let mark = mode == .dryRun ? "+" : (done.contains(entry.slug) ? "✓" : "·")
                var notes = entry.fromInitializer ? " [initializer]" : ""
                if !entry.enabled { notes += " [disabled]" }
                if !entry.disabledModules.isEmpty { notes += " [disabled modules: \(entry.disabledModules.joined(separator: ", "))]" }
                lines.append("  \(mark) \(entry.legacySlug) → \(entry.slug) (\(entry.mappedBy)\(entry.inCatalog ? "" : ", not in the catalog")) "
                             + "\(entry.version) (\(entry.fileCount) files, \(entry.modules.count) modules) from \(entry.sourceFolder)" + notes)
            }
            for slug in user.alreadyPresent { lines.append("  = \(slug): already present") }
            for skip in user.skipped { lines.append("  - \(skip.legacySlug): skipped, \(skip.reason)") }
            for fail in user.failed { lines.append("  ! \(fail.legacySlug): failed, \(fail.reason)") }
        }
        if !defects.isEmpty {
            lines.append("defects (\(defects.count)):")
            for defect in defects {
                var who = ""
                if let user = defect.userID { who += " user \(user)" }
                if let plugin = defect.pluginID { who += " plugin \(plugin)" }
                lines.append("  \(defect.kind.rawValue)\(who): \(defect.detail)")
            }
        }
        let t = totals
        lines.append("totals: \(t.users) users, \(t.pluginRows) plugin rows, \(t.toMigrate) to migrate, \(t.migrated) migrated, "
                     + "\(t.skipped) skipped, \(t.alreadyPresent) already present, \(t.failed) failed, \(t.defects) defects")
        return lines.joined(separator: "\n")
    }
}
