extension LifecycleDatabase {
    /// Newest first; `before` is the id of the last event of the previous page.
    package func auditEvents(userID: String?, limit: Int, before: Int64?) throws -> [AuditEventRow] {
        // Only the filters asked for: each of the four texts keeps its own plan (by user: the (user_id, id) index).
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let userID { conditions.append("user_id = ?"); arguments.append(.text(userID)) }
        if let before { conditions.append("id < ?"); arguments.append(.integer(before)) }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(selection(AuditEventRow.columns)) FROM audit_event\(filter) ORDER BY id DESC LIMIT ?"
        return try read { db in try db.all(sql, arguments + [.integer(Int64(limit))]) { try AuditEventRow(columns: $0) } }
    }

    /// For events that change nothing else (a failure worth keeping).
    package func record(_ event: AuditEventRow) throws {
        try write { db in try record(event, db) }
    }
}
