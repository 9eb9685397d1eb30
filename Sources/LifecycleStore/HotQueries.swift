import GRDB

/// The statements on the request path of status, installed and available: each runs as a cached
/// statement (prepared once per connection: GRDB's, and the hot reader's) and must be an index
/// search, never a table scan, so these requests cost the same at a thousand installed plugins as
/// at a million.
enum HotQueries {
    // Column lists come from the records (`columns`): GRDB and the hot reader select and decode the same.
    static let leaseOfPlugin = "SELECT \(selection(OperationLease.columns)) FROM operation_lease WHERE user_id = ? AND plugin_slug = ?"
    static let leasesOfUser = "SELECT \(selection(OperationLease.columns)) FROM operation_lease WHERE user_id = ?"
    static let plugin = "SELECT \(selection(PluginRow.columns)) FROM plugin WHERE user_id = ? AND plugin_slug = ?"
    static let modulesOfPlugin = "SELECT \(selection(ModuleRow.columns)) FROM module WHERE plugin_id = ? ORDER BY id"
    static let filesOfPlugin = "SELECT \(selection(InstalledFileRow.columns)) FROM installed_file WHERE plugin_id = ? ORDER BY path"
    // Status and installed read only the columns a health check uses (PluginHealthRows' lists).
    static let pluginHealth = """
        SELECT \(selection(PluginHealthRows.pluginColumns)) FROM plugin WHERE user_id = ? AND plugin_slug = ?
        """
    static let moduleNamesOfPlugin = "SELECT \(selection(PluginHealthRows.moduleColumns)) FROM module WHERE plugin_id = ? ORDER BY id"
    static let fileSizesOfPlugin = "SELECT \(selection(PluginHealthRows.fileColumns)) FROM installed_file WHERE plugin_id = ? ORDER BY path"
    static let pluginHealthOfUser = """
        SELECT \(selection(PluginHealthRows.pluginColumns)) FROM plugin WHERE user_id = ? ORDER BY plugin_slug
        """
    // The file route: the plugin's state, then one file by the table's primary key.
    static let pluginToServe = """
        SELECT \(selection(PluginFileRows.pluginColumns)) FROM plugin WHERE user_id = ? AND plugin_slug = ?
        """
    static let fileOfPlugin = "SELECT \(selection(InstalledFileRow.columns)) FROM installed_file WHERE plugin_id = ? AND path = ?"
    static let pluginsOfUser = "SELECT \(selection(PluginRow.columns)) FROM plugin WHERE user_id = ? ORDER BY plugin_slug"
    static let versionsOfUser = "SELECT \(selection(versionColumns)) FROM plugin WHERE user_id = ?"
    static let versionColumns: [PluginRow.CodingKeys] = [.pluginSlug, .version]
    // Joined on the plugin's owner, so a row can only ever be listed with its own plugin. Grouped
    // by plugin in the order the (user_id, plugin_slug) index walks them, so SQLite sorts no files
    // (a temporary B-tree per request was a tenth of `installed`, callgrind); modules are kept in
    // id order within each plugin.
    static let modulesOfUser = """
        SELECT \(selection(PluginHealthRows.moduleColumns, of: "module")) FROM plugin JOIN module ON module.plugin_id = plugin.id
        WHERE plugin.user_id = ? ORDER BY plugin.plugin_slug, module.id
        """
    static let filesOfUser = """
        SELECT \(selection(PluginHealthRows.fileColumns, of: "installed_file"))
        FROM plugin JOIN installed_file ON installed_file.plugin_id = plugin.id
        WHERE plugin.user_id = ? ORDER BY plugin.plugin_slug, installed_file.path
        """
    /// `health`: a read that touches the schema (it scans sqlite_master, a few rows: not in `all`).
    static let ping = "SELECT count(*) FROM sqlite_master"

    static let all = [leaseOfPlugin, leasesOfUser, plugin, modulesOfPlugin, filesOfPlugin, pluginHealth,
                      moduleNamesOfPlugin, fileSizesOfPlugin, pluginHealthOfUser, pluginsOfUser, versionsOfUser, modulesOfUser,
                      filesOfUser, pluginToServe, fileOfPlugin]
}

extension LifecycleDatabase {
    /// SQLite's plan for each statement on the request path (`EXPLAIN QUERY PLAN` details), for the
    /// tests and the bench to show that none scans a table.
    package func hotQueryPlans() throws -> [(sql: String, plan: [String])] {
        try sqlite(for: "query plans").readGRDB { db in
            try HotQueries.all.map { sql in
                (sql, try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql,
                                       arguments: StatementArguments(Array(repeating: "x", count: sql.filter { $0 == "?" }.count)))
                    .map { $0["detail"] as String })
            }
        }
    }
}
