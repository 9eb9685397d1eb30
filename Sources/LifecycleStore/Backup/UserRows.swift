/// One user's rows of the plugin tables, read from the live database in one transaction, to replace
/// theirs in a ``BackupCopy``: how a backup takes a user whose plugins changed during it at a later point.
package struct UserRows {
    // Each query selects that user's rows of one table, in its records' `columns` order (plugins: HotQueries.pluginsOfUser).
    static let modulesOfUser = """
        SELECT \(selection(ModuleRow.columns)) FROM module WHERE plugin_id IN (SELECT id FROM plugin WHERE user_id = ?)
        """
    static let filesOfUser = """
        SELECT \(selection(InstalledFileRow.columns)) FROM installed_file WHERE plugin_id IN (SELECT id FROM plugin WHERE user_id = ?)
        """
    static let auditsOfUser = "SELECT \(selection(AuditEventRow.columns)) FROM audit_event WHERE user_id = ?"
    // A share concerns two users; the one taken later has both the offers it made and those made to it.
    static let sharesOfUser = "SELECT \(selection(ShareRow.columns)) FROM share WHERE from_user = ? OR to_user = ?"

    package let userID: String
    // Parents first; their audit trail (so it ends with the operations whose results the copy shows); their shares.
    let plugins: [PluginRow]
    let modules: [ModuleRow]
    let files: [InstalledFileRow]
    let audits: [AuditEventRow]
    let shares: [ShareRow]

    static func read(_ db: any SQLTransaction, userID: String) throws -> UserRows {
        let user: [SQLValue] = [.text(userID)]
        return UserRows(userID: userID,
                        plugins: try db.all(HotQueries.pluginsOfUser, user) { try PluginRow(columns: $0) },
                        modules: try db.all(modulesOfUser, user) { try ModuleRow(columns: $0) },
                        files: try db.all(filesOfUser, user) { try InstalledFileRow(columns: $0) },
                        audits: try db.all(auditsOfUser, user) { try AuditEventRow(columns: $0) },
                        shares: try db.all(sharesOfUser, user + user) { try ShareRow(columns: $0) })
    }

    /// Operation id of each plugin, by slug.
    package var operations: [String: String] {
        Dictionary(plugins.map { ($0.pluginSlug, $0.operationID) }, uniquingKeysWith: { _, last in last })
    }

    /// Files recorded for the plugin with this slug: relative path → (size, SHA-256).
    package func files(slug: String) -> [String: (size: Int64, sha256: String)] {
        guard let id = plugins.first(where: { $0.pluginSlug == slug })?.id else { return [:] }
        var result: [String: (size: Int64, sha256: String)] = [:]
        for file in files where file.pluginID == id { result[file.path] = (file.size, file.sha256) }
        return result
    }

    /// Replaces the user's rows in `db` (modules and files go with their plugin by cascade).
    /// Audit ids are global and kept: the copy has no event newer than its snapshot but these.
    func replace(in db: any SQLTransaction) throws {
        let user: [SQLValue] = [.text(userID)]
        try db.execute("DELETE FROM plugin WHERE user_id = ?", user)
        try db.execute("DELETE FROM audit_event WHERE user_id = ?", user)
        try db.execute("DELETE FROM share WHERE from_user = ? OR to_user = ?", user + user)
        for row in plugins { try db.execute(PluginRow.insertSQL, row.arguments) }
        for row in modules { try db.execute(ModuleRow.insertSQL, row.arguments) }
        for row in files { try db.execute(InstalledFileRow.insertSQL, row.arguments) }
        for row in audits { try db.execute(AuditEventRow.insertSQL, row.arguments) }
        for row in shares { try db.execute(ShareRow.insertSQL, row.arguments) }
    }
}

extension LifecycleDatabase {
    /// The user's rows, read in one transaction: call holding the user's leases, so they are one committed state.
    package func userRows(userID: String) throws -> UserRows {
        try read { db in try UserRows.read(db, userID: userID) }
    }

    /// Operation id of each of the user's plugins, by slug: all a backup needs to tell whether they changed.
    package func operationIDs(userID: String) throws -> [String: String] {
        try read { db in
            var result: [String: String] = [:]
            try db.forEachRow("SELECT plugin_slug, operation_id FROM plugin WHERE user_id = ?", [.text(userID)]) {
                result[try $0.text(0)] = try $0.text(1)
            }
            return result
        }
    }
}
