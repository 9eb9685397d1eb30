import GRDB

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
    static func installedPlugin(_ db: Database, userID: String, slug: String) throws -> InstalledPlugin? {
        guard let plugin = try PluginRow.fetchOne(
            db.cachedStatement(sql: HotQueries.plugin),
            arguments: [userID, slug]) else { return nil }
        let modules = try ModuleRow.fetchAll(
            db.cachedStatement(sql: HotQueries.modulesOfPlugin), arguments: [plugin.id])
        let files = try InstalledFileRow.fetchAll(
            db.cachedStatement(sql: HotQueries.filesOfPlugin), arguments: [plugin.id])
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

    static func healthRows(_ db: Database, userID: String, slug: String) throws -> PluginHealthRows? {
        try healthRows(db, plugins: HotQueries.pluginHealth, modules: HotQueries.moduleNamesOfPlugin,
                       files: HotQueries.fileSizesOfPlugin, userID: userID, slug: slug).first
    }

    /// The caller's leases and what a health check needs of each of the caller's plugins, by slug,
    /// in one transaction of four indexed queries (`installed`; one read per plugin was most of its cost).
    package func leasesAndHealthRows(userID: String) throws -> (leases: [OperationLease], plugins: [PluginHealthRows]) {
        try read { db in
            let leases = try OperationLease.fetchAll(db.cachedStatement(sql: HotQueries.leasesOfUser), arguments: [userID])
            return (leases, try Self.healthRows(db, plugins: HotQueries.pluginHealthOfUser, modules: HotQueries.modulesOfUser,
                                                files: HotQueries.filesOfUser, userID: userID, slug: nil))
        }
    }

    /// Runs the three narrow statements (plugins; their modules; their files) and joins them in
    /// memory, as the hot reader does (``HealthRowsBuilder``).
    private static func healthRows(_ db: Database, plugins pluginSQL: String, modules moduleSQL: String, files fileSQL: String,
                                   userID: String, slug: String?) throws -> [PluginHealthRows] {
        let arguments: StatementArguments = slug.map { [userID, $0] } ?? [userID]
        var health = HealthRowsBuilder()
        let pluginRows = try Row.fetchCursor(db.cachedStatement(sql: pluginSQL), arguments: arguments)
        while let row = try pluginRows.next() { try health.addPlugin(row) }
        if health.plugins.isEmpty { return [] }
        // One plugin (status) is found by its id; a user's plugins by the user, joined on the owner.
        let childArguments: StatementArguments = slug == nil ? [userID] : [health.plugins[0].pluginID]
        let moduleRows = try Row.fetchCursor(db.cachedStatement(sql: moduleSQL), arguments: childArguments)
        while let row = try moduleRows.next() { try health.addModule(row) }
        let fileRows = try Row.fetchCursor(db.cachedStatement(sql: fileSQL), arguments: childArguments)
        while let row = try fileRows.next() { try health.addFile(row) }
        return health.plugins
    }

    /// The caller's plugins (rows only), by slug.
    package func plugins(userID: String) throws -> [PluginRow] {
        try read { db in
            try PluginRow.fetchAll(db.cachedStatement(sql: HotQueries.pluginsOfUser),
                                   arguments: [userID])
        }
    }

    /// Installed versions of the caller's plugins, keyed by slug: one indexed query (`available`
    /// reads it through ``HotReader/installedVersions(userID:)``).
    package func installedVersions(userID: String) throws -> [String: String] {
        try read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: HotQueries.versionsOfUser),
                                        arguments: [userID])
            var result: [String: String] = [:]
            for row in rows { result[try row.text(0)] = try row.text(1) }
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
                    try Self.consumeLease(SQLiteTransaction(db), operationID: operationID)
                    try Self.put(db, installed)
                    try record(audit, db)
                case .settleShare(let id, let state, let now, let audit):
                    try db.execute(sql: "UPDATE share SET state = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
                                   arguments: [state, now, id])
                    guard db.changesCount == 1 else { throw ShareError.notPending }
                    try record(audit, db)
                case .release(let operationID):
                    try Self.consumeLease(SQLiteTransaction(db), operationID: operationID)
                case .removeShares(let userID):
                    try ShareRow.filter(Column("from_user") == userID || Column("to_user") == userID).deleteAll(db)
                case .remove(let pluginID, let audit, let operationID):
                    try Self.consumeLease(SQLiteTransaction(db), operationID: operationID)
                    if let plugin = try PluginRow.fetchOne(db, key: pluginID) {
                        // Offers of a plugin its sender no longer has lapse with it.
                        try ShareRow.filter(Column("from_user") == plugin.userID && Column("plugin_slug") == plugin.pluginSlug
                                            && Column("state") == "pending").deleteAll(db)
                    }
                    _ = try PluginRow.deleteOne(db, key: pluginID)
                    try record(audit, db)
                }
            }
        }
    }

    static func put(_ db: Database, _ installed: InstalledPlugin) throws {
        var installed = installed
        // Ids are `{user_id}_{slug}` and user ids may hold `_`: the same id can name another
        // user's plugin (`u` + `a_b` and `u_a` + `b`). Never touch a row that is not the caller's.
        if let holder = try PluginRow.fetchOne(db, key: installed.plugin.id),
           holder.userID != installed.plugin.userID || holder.pluginSlug != installed.plugin.pluginSlug {
            throw RowConflict.pluginIDTaken(installed.plugin.id)
        }
        if let existing = try PluginRow.fetchOne(db, key: installed.plugin.id) {
            installed.plugin.enabled = existing.enabled
            installed.plugin.installedAt = existing.installedAt
            let previousModules = try ModuleRow.filter(Column("plugin_id") == existing.id).fetchAll(db)
            let kept = Dictionary(previousModules.map { ($0.id, ($0.enabled, $0.createdAt)) }, uniquingKeysWith: { a, _ in a })
            for index in installed.modules.indices {
                if let (enabled, createdAt) = kept[installed.modules[index].id] {
                    installed.modules[index].enabled = enabled
                    installed.modules[index].createdAt = createdAt
                }
            }
            try installed.plugin.update(db)
            try ModuleRow.filter(Column("plugin_id") == existing.id).deleteAll(db)
            try InstalledFileRow.filter(Column("plugin_id") == existing.id).deleteAll(db)
        } else {
            try installed.plugin.insert(db)
        }
        for module in installed.modules { try module.insert(db) }
        for file in installed.files { try file.insert(db) }
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
