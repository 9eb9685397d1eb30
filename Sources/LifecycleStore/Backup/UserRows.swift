import GRDB

/// One user's rows of the plugin tables, read from the live database in one transaction, to replace
/// theirs in a ``BackupCopy``: how a backup takes a user whose plugins changed during it at a later point.
package struct UserRows {
    /// Tables holding a user's plugins, parents first, their audit trail (so it ends with the
    /// operations whose results the copy shows) and their shares; each query selects that user's rows.
    static let tables: [(name: String, filter: String)] = [
        ("plugin", "user_id = ?"),
        ("module", "plugin_id IN (SELECT id FROM plugin WHERE user_id = ?)"),
        ("installed_file", "plugin_id IN (SELECT id FROM plugin WHERE user_id = ?)"),
        ("audit_event", "user_id = ?"),
        // A share concerns two users; the one taken later has both the offers it made and those made to it.
        ("share", "? IN (from_user, to_user)"),
    ]

    package let userID: String
    let rows: [(table: String, rows: [Row])]

    static func read(_ db: Database, userID: String) throws -> UserRows {
        UserRows(userID: userID, rows: try tables.map { table in
            (table.name, try Row.fetchAll(db, sql: "SELECT * FROM \(table.name) WHERE \(table.filter)", arguments: [userID]))
        })
    }

    /// Operation id of each plugin, by slug.
    package var operations: [String: String] {
        var result: [String: String] = [:]
        for row in rows.first(where: { $0.table == "plugin" })?.rows ?? [] { result[row["plugin_slug"]] = row["operation_id"] }
        return result
    }

    /// Files recorded for the plugin with this slug: relative path → (size, SHA-256).
    package func files(slug: String) -> [String: (size: Int64, sha256: String)] {
        guard let id: String = rows.first(where: { $0.table == "plugin" })?.rows.first(where: { $0["plugin_slug"] == slug })?["id"] else { return [:] }
        var result: [String: (size: Int64, sha256: String)] = [:]
        for row in rows.first(where: { $0.table == "installed_file" })?.rows ?? [] where row["plugin_id"] == id {
            result[row["path"]] = (row["size"], row["sha256"])
        }
        return result
    }

    /// Replaces the user's rows in `db` (modules and files go with their plugin by cascade).
    /// Audit ids are global and kept: the copy has no event newer than its snapshot but these.
    func replace(in db: Database) throws {
        try db.execute(sql: "DELETE FROM plugin WHERE user_id = ?", arguments: [userID])
        try db.execute(sql: "DELETE FROM audit_event WHERE user_id = ?", arguments: [userID])
        try db.execute(sql: "DELETE FROM share WHERE ? IN (from_user, to_user)", arguments: [userID])
        for (table, rows) in rows {
            for row in rows {
                let columns = Array(row.columnNames)
                let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
                try db.execute(sql: sql, arguments: StatementArguments(Array(row.databaseValues)))
            }
        }
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
            for row in try Row.fetchAll(db, sql: "SELECT plugin_slug, operation_id FROM plugin WHERE user_id = ?", arguments: [userID]) {
                result[row[0]] = row[1]
            }
            return result
        }
    }
}
