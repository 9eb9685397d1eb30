import Foundation

/// What `migrate-legacy` found and did: per user, per plugin, plus every defect of the legacy data.
/// Codable (snake_case keys) for `--json`; `text` renders it for people.
public struct MigrationReport: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable { case dryRun = "dry_run", apply }

    /// One legacy plugin row that is (or would be) turned into an install.
    public struct PluginEntry: Codable, Sendable, Equatable {
        /// Canonical slug in our system.
        public var slug: String
        /// The slug as the legacy row spells it.
        public var legacySlug: String
        public var legacyPluginID: String
        /// How `legacySlug` became `slug`: `legacy_slugs` (a catalog manifest lists it exactly),
        /// `legacy_slugs_normalised` (lists it in another spelling) or `normalised` (no manifest does).
        public var mappedBy: String
        /// The catalog has `slug`: update, repair and `available` know the install.
        public var inCatalog: Bool
        public var version: String
        public var modules: [String]
        public var fileCount: Int
        public var totalBytes: Int64
        /// The folder the files come from, relative to the plugins folder.
        public var sourceFolder: String
        /// The initializer gave it (see `LegacyMigrator.isFromInitializer`).
        public var fromInitializer: Bool
        /// The legacy row's `enabled`; a disabled plugin is migrated disabled.
        public var enabled: Bool
        /// Modules whose legacy row has `enabled = 0`, migrated switched off.
        public var disabledModules: [String]

        enum CodingKeys: String, CodingKey {
            case slug, version, modules, enabled
            case legacySlug = "legacy_slug", legacyPluginID = "legacy_plugin_id", fileCount = "file_count"
            case totalBytes = "total_bytes", sourceFolder = "source_folder", fromInitializer = "from_initializer"
            case mappedBy = "mapped_by", inCatalog = "in_catalog", disabledModules = "disabled_modules"
        }
    }

    public struct SkippedPlugin: Codable, Sendable, Equatable {
        public var legacySlug: String
        public var legacyPluginID: String
        public var reason: String
        enum CodingKeys: String, CodingKey { case reason, legacySlug = "legacy_slug", legacyPluginID = "legacy_plugin_id" }
    }

    public struct UserReport: Codable, Sendable, Equatable {
        public var userID: String
        /// Dry run: what `--apply` would migrate. Apply: what was attempted.
        public var toMigrate: [PluginEntry] = []
        /// Apply only: installed by this run.
        public var migrated: [PluginEntry] = []
        public var skipped: [SkippedPlugin] = []
        /// Canonical slugs the user already has in our system (nothing to do).
        public var alreadyPresent: [String] = []
        /// Apply only: the import failed (the user's plugin was left as before).
        public var failed: [SkippedPlugin] = []

        public init(userID: String) { self.userID = userID }

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

    public struct Defect: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
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
        public var kind: Kind
        public var userID: String?
        public var pluginID: String?
        public var detail: String

        public init(kind: Kind, userID: String? = nil, pluginID: String? = nil, detail: String) {
            self.kind = kind; self.userID = userID; self.pluginID = pluginID; self.detail = detail
        }

        enum CodingKeys: String, CodingKey { case kind, detail, userID = "user_id", pluginID = "plugin_id" }
    }

    public struct Totals: Codable, Sendable, Equatable {
        public var users = 0
        public var pluginRows = 0
        public var toMigrate = 0
        public var migrated = 0
        public var skipped = 0
        public var alreadyPresent = 0
        public var failed = 0
        public var defects = 0
        enum CodingKeys: String, CodingKey {
            case users, migrated, skipped, failed, defects
            case pluginRows = "plugin_rows", toMigrate = "to_migrate", alreadyPresent = "already_present"
        }
    }

    public var mode: Mode
    public var dropInitializerPlugins: Bool
    public var users: [UserReport]
    public var defects: [Defect]
    public var totals: Totals

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
    public var text: String {
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
