import GRDB

/// The statements on the request path of status, installed and available: each runs as a cached
/// statement (prepared once per connection) and must be an index search, never a table scan,
/// so these requests cost the same at a thousand installed plugins as at a million.
enum HotQueries {
    static let leaseOfPlugin = "SELECT * FROM operation_lease WHERE user_id = ? AND plugin_slug = ?"
    static let leasesOfUser = "SELECT * FROM operation_lease WHERE user_id = ?"
    static let plugin = "SELECT * FROM plugin WHERE user_id = ? AND plugin_slug = ?"
    static let modulesOfPlugin = "SELECT * FROM module WHERE plugin_id = ? ORDER BY id"
    static let filesOfPlugin = "SELECT * FROM installed_file WHERE plugin_id = ? ORDER BY path"
    // Status and installed read only the columns a health check uses, by position: GRDB builds a
    // column-name table per statement run, and whole rows decoded by name cost a third more (callgrind).
    // Children come with their plugin's id first, to be joined in memory.
    static let pluginHealth = """
        SELECT id, plugin_slug, version, enabled, manifest_json, installed_at FROM plugin
        WHERE user_id = ? AND plugin_slug = ?
        """
    static let moduleNamesOfPlugin = "SELECT plugin_id, id, name, enabled FROM module WHERE plugin_id = ? ORDER BY id"
    static let fileSizesOfPlugin = "SELECT plugin_id, path, size, sha256 FROM installed_file WHERE plugin_id = ? ORDER BY path"
    static let pluginHealthOfUser = """
        SELECT id, plugin_slug, version, enabled, manifest_json, installed_at FROM plugin
        WHERE user_id = ? ORDER BY plugin_slug
        """
    static let pluginsOfUser = "SELECT * FROM plugin WHERE user_id = ? ORDER BY plugin_slug"
    static let versionsOfUser = "SELECT plugin_slug, version FROM plugin WHERE user_id = ?"
    // Joined on the plugin's owner, so a row can only ever be listed with its own plugin.
    static let modulesOfUser = """
        SELECT module.plugin_id, module.id, module.name, module.enabled FROM plugin JOIN module ON module.plugin_id = plugin.id
        WHERE plugin.user_id = ? ORDER BY module.plugin_id, module.id
        """
    static let filesOfUser = """
        SELECT installed_file.plugin_id, installed_file.path, installed_file.size, installed_file.sha256
        FROM plugin JOIN installed_file ON installed_file.plugin_id = plugin.id
        WHERE plugin.user_id = ? ORDER BY installed_file.plugin_id, installed_file.path
        """

    static let all = [leaseOfPlugin, leasesOfUser, plugin, modulesOfPlugin, filesOfPlugin, pluginHealth,
                      moduleNamesOfPlugin, fileSizesOfPlugin, pluginHealthOfUser, pluginsOfUser, versionsOfUser, modulesOfUser,
                      filesOfUser]
}

extension LifecycleDatabase {
    /// SQLite's plan for each statement on the request path (`EXPLAIN QUERY PLAN` details), for the
    /// tests and the bench to show that none scans a table.
    package func hotQueryPlans() throws -> [(sql: String, plan: [String])] {
        try read { db in
            try HotQueries.all.map { sql in
                (sql, try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql,
                                       arguments: StatementArguments(Array(repeating: "x", count: sql.filter { $0 == "?" }.count)))
                    .map { $0["detail"] as String })
            }
        }
    }
}
