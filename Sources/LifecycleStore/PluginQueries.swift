/// A plugin row with everything that belongs to it.
package struct InstalledPlugin: Sendable, Equatable {
    package var plugin: PluginRow
    package var modules: [ModuleRow]
    package var files: [InstalledFileRow]

    package init(plugin: PluginRow, modules: [ModuleRow], files: [InstalledFileRow]) {
        self.plugin = plugin; self.modules = modules; self.files = files
    }
}

extension InstalledPlugin {
    package var healthRows: PluginHealthRows {
        var rows = PluginHealthRows(pluginID: plugin.id, pluginSlug: plugin.pluginSlug, version: plugin.version, enabled: plugin.enabled,
                                    manifestJSON: plugin.manifestJSON, installedAt: plugin.installedAt,
                                    modules: modules.map { ($0.id, $0.name) }, files: files)
        rows.disabledModuleIDs = modules.filter { !$0.enabled }.map(\.id)
        rows.scope = plugin.scope
        rows.bundleLocation = plugin.bundleLocation
        return rows
    }
}

/// Reads and writes of plugins, always scoped by the caller's user id.
extension LifecycleDatabase {
    package func installedPlugin(userID: String, slug: String) throws -> InstalledPlugin? {
        try read { db in try Self.installedPlugin(db, userID: userID, slug: slug) }
    }

    // Cached statements: preparing them anew (with GRDB's authorizer) was a quarter of a status request.
    static func installedPlugin(_ db: any SQLTransaction, userID: String, slug: String) throws -> InstalledPlugin? {
        guard let plugin = try db.one(HotQueries.plugin, [.text(userID), .text(slug)], { try PluginRow(columns: $0) }) else {
            return nil
        }
        let modules = try db.all(HotQueries.modulesOfPlugin, [.text(plugin.id)]) { try ModuleRow(columns: $0) }
        let files = try db.all(HotQueries.filesOfPlugin, [.text(plugin.id)]) { try InstalledFileRow(columns: $0) }
        return InstalledPlugin(plugin: plugin, modules: modules, files: files)
    }

    /// The (user, plugin) lease and what status needs of the committed plugin, in one transaction.
    package func leaseAndHealthRows(userID: String, slug: String) throws -> (lease: OperationLease?, plugin: PluginHealthRows?) {
        try read { db in
            (try Self.lease(db, userID: userID, slug: slug), try Self.healthRows(db, userID: userID, slug: slug))
        }
    }

    package func healthRows(userID: String, slug: String) throws -> PluginHealthRows? {
        try read { db in try Self.healthRows(db, userID: userID, slug: slug) }
    }

    static func healthRows(_ db: any SQLTransaction, userID: String, slug: String) throws -> PluginHealthRows? {
        try healthRows(db, plugins: HotQueries.pluginHealth, modules: HotQueries.moduleNamesOfPlugin,
                       files: HotQueries.fileSizesOfPlugin, userID: userID, slug: slug).first
    }

    /// The caller's leases and what a health check needs of each of the caller's plugins, by slug,
    /// in one transaction of four indexed queries (`installed`; one read per plugin was most of its cost).
    package func leasesAndHealthRows(userID: String) throws -> (leases: [OperationLease], plugins: [PluginHealthRows]) {
        try read { db in
            let leases = try db.all(HotQueries.leasesOfUser, [.text(userID)]) { try OperationLease(columns: $0) }
            return (leases, try Self.healthRows(db, plugins: HotQueries.pluginHealthOfUser, modules: HotQueries.modulesOfUser,
                                                files: HotQueries.filesOfUser, userID: userID, slug: nil))
        }
    }

    /// Runs the three narrow statements (plugins; their modules; their files) and joins them in
    /// memory, as the hot reader does (``HealthRowsBuilder``).
    private static func healthRows(_ db: any SQLTransaction, plugins pluginSQL: String, modules moduleSQL: String,
                                   files fileSQL: String, userID: String, slug: String?) throws -> [PluginHealthRows] {
        let arguments: [SQLValue] = slug.map { [.text(userID), .text($0)] } ?? [.text(userID)]
        var health = HealthRowsBuilder()
        try db.forEachRow(pluginSQL, arguments) { try health.addPlugin($0) }
        if health.plugins.isEmpty { return [] }
        // One plugin (status) is found by its id; a user's plugins by the user, joined on the owner.
        let childArguments: [SQLValue] = slug == nil ? [.text(userID)] : [.text(health.plugins[0].pluginID)]
        try db.forEachRow(moduleSQL, childArguments) { try health.addModule($0) }
        try db.forEachRow(fileSQL, childArguments) { try health.addFile($0) }
        return health.plugins
    }

    /// The (user, plugin) lease, the plugin's state and its row for `path`, in one transaction (the file route).
    package func leaseAndFileRows(userID: String, slug: String, path: String) throws -> (lease: OperationLease?, plugin: PluginFileRows?) {
        try read { db in
            let lease = try Self.lease(db, userID: userID, slug: slug)
            guard var plugin = try db.one(HotQueries.pluginToServe, [.text(userID), .text(slug)], { try PluginFileRows(plugin: $0) })
            else { return (lease, nil) }
            plugin.file = try db.one(HotQueries.fileOfPlugin, [.text(plugin.pluginID), .text(path)]) {
                try InstalledFileRow(columns: $0, pluginID: plugin.pluginID)
            }
            return (lease, plugin)
        }
    }

    /// The caller's plugins (rows only), by slug.
    package func plugins(userID: String) throws -> [PluginRow] {
        try read { db in try db.all(HotQueries.pluginsOfUser, [.text(userID)]) { try PluginRow(columns: $0) } }
    }

    /// Installed versions of the caller's plugins, keyed by slug: one indexed query (`available`
    /// reads it through ``HotReader/installedVersions(userID:)``).
    package func installedVersions(userID: String) throws -> [String: String] {
        try read { db in
            var result: [String: String] = [:]
            try db.forEachRow(HotQueries.versionsOfUser, [.text(userID)]) { result[try $0.text(0)] = try $0.text(1) }
            return result
        }
    }

    /// Inserts or replaces a plugin with its modules and files, records the audit event and
    /// releases the lease, in one transaction: the commit point of install, repair and update.
    /// Enabled flags of the plugin and of surviving modules are kept.
    package func commitPlugin(_ installed: InstalledPlugin, audit: AuditEventRow, releasing operationID: String) throws {
        try commit([.put(installed, audit: audit, operationID: operationID)])
    }

    /// Deletes a plugin (modules and files by cascade), records the audit event and releases the lease, in one transaction.
    package func commitRemoval(pluginID: String, audit: AuditEventRow, releasing operationID: String) throws {
        try commit([.remove(pluginID: pluginID, audit: audit, operationID: operationID)])
    }

    /// One change of a multi-plugin commit (an install with its dependencies, a cascading uninstall).
    package enum Change: Sendable {
        case put(InstalledPlugin, audit: AuditEventRow, operationID: String)
        case remove(pluginID: String, audit: AuditEventRow, operationID: String)
        /// A pending share settled in the same transaction (an accept).
        case settleShare(id: String, state: String, at: String, audit: AuditEventRow)
        /// Every share to or from a user (a purge).
        case removeShares(userID: String)
        /// Releases a lease held only to keep a plugin stable during the commit (a reused dependency).
        case release(operationID: String)
    }

    /// Applies every change and releases every lease in one transaction: all of them or none.
    package func commit(_ changes: [Change]) throws {
        try write { db in
            for change in changes {
                switch change {
                case .put(let installed, let audit, let operationID):
                    try Self.consumeLease(db, operationID: operationID)
                    try Self.put(db, installed)
                    try record(audit, db)
                case .settleShare(let id, let state, let now, let audit):
                    guard try db.execute(Self.settlePendingShare, [.text(state), .text(now), .text(id)]) == 1 else {
                        throw ShareError.notPending
                    }
                    try record(audit, db)
                case .release(let operationID):
                    try Self.consumeLease(db, operationID: operationID)
                case .removeShares(let userID):
                    try db.execute("DELETE FROM share WHERE from_user = ? OR to_user = ?", [.text(userID), .text(userID)])
                case .remove(let pluginID, let audit, let operationID):
                    try Self.consumeLease(db, operationID: operationID)
                    if let plugin = try db.one("SELECT user_id, plugin_slug FROM plugin WHERE id = ?", [.text(pluginID)],
                                               { (userID: try $0.text(0), slug: try $0.text(1)) }) {
                        // Offers of a plugin its sender no longer has lapse with it.
                        try db.execute("DELETE FROM share WHERE from_user = ? AND plugin_slug = ? AND state = 'pending'",
                                       [.text(plugin.userID), .text(plugin.slug)])
                    }
                    try db.execute("DELETE FROM plugin WHERE id = ?", [.text(pluginID)])
                    try record(audit, db)
                }
            }
        }
    }

    static func put(_ db: any SQLTransaction, _ installed: InstalledPlugin) throws {
        var installed = installed
        let existing = try db.one("SELECT \(selection(PluginRow.columns)) FROM plugin WHERE id = ?", [.text(installed.plugin.id)]) {
            try PluginRow(columns: $0)
        }
        // Ids are `{user_id}_{slug}` and user ids may hold `_`: the same id can name another
        // user's plugin (`u` + `a_b` and `u_a` + `b`). Never touch a row that is not the caller's.
        if let holder = existing, holder.userID != installed.plugin.userID || holder.pluginSlug != installed.plugin.pluginSlug {
            throw RowConflict.pluginIDTaken(installed.plugin.id)
        }
        if let existing {
            installed.plugin.enabled = existing.enabled
            installed.plugin.installedAt = existing.installedAt
            let previousModules = try db.all("SELECT id, enabled, created_at FROM module WHERE plugin_id = ?", [.text(existing.id)]) {
                (id: try $0.text(0), enabled: try $0.bool(1), createdAt: try $0.text(2))
            }
            let kept = Dictionary(previousModules.map { ($0.id, ($0.enabled, $0.createdAt)) }, uniquingKeysWith: { a, _ in a })
            for index in installed.modules.indices {
                if let (enabled, createdAt) = kept[installed.modules[index].id] {
                    installed.modules[index].enabled = enabled
                    installed.modules[index].createdAt = createdAt
                }
            }
            try db.execute(PluginRow.updateSQL, installed.plugin.updateArguments)
            try db.execute("DELETE FROM module WHERE plugin_id = ?", [.text(existing.id)])
            try db.execute("DELETE FROM installed_file WHERE plugin_id = ?", [.text(existing.id)])
        } else {
            try db.execute(PluginRow.insertSQL, installed.plugin.arguments)
        }
        for module in installed.modules { try db.execute(ModuleRow.insertSQL, module.arguments) }
        for file in installed.files { try db.execute(InstalledFileRow.insertSQL, file.arguments) }
    }
}

package enum ShareError: Error, Sendable, Equatable {
    /// The offer was accepted, declined or withdrawn meanwhile.
    case notPending
    /// The sender uninstalled the plugin meanwhile.
    case senderLacksPlugin
}

package enum RowConflict: Error, Sendable, Equatable {
    /// Another user's plugin already has this id.
    case pluginIDTaken(String)
}
