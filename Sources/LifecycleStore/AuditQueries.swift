import GRDB

extension LifecycleDatabase {
    /// Newest first; `before` is the id of the last event of the previous page.
    package func auditEvents(userID: String?, limit: Int, before: Int64?) throws -> [AuditEventRow] {
        try read { db in
            var request = AuditEventRow.all()
            if let userID { request = request.filter(Column("user_id") == userID) }
            if let before { request = request.filter(Column("id") < before) }
            return try request.order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// For events that change nothing else (a failure worth keeping).
    package func record(_ event: AuditEventRow) throws {
        try write { db in try record(event, db) }
    }
}
