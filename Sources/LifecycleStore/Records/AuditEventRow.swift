import GRDB

/// One lifecycle change, written in the transaction of the change itself.
package struct AuditEventRow: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    package static let databaseTableName = "audit_event"
    package var id: Int64?
    package var at: String
    /// Who asked: the caller's user id (an admin acting for others), or `cli`.
    package var actor: String
    /// Whose plugins changed.
    package var userID: String
    package var pluginSlug: String?
    package var action: String
    package var fromVersion: String?
    package var toVersion: String?
    package var outcome: String
    package var requestID: String?
    package var detail: String?

    enum CodingKeys: String, CodingKey {
        case id, at, actor, action, outcome, detail
        case userID = "user_id", pluginSlug = "plugin_slug", fromVersion = "from_version"
        case toVersion = "to_version", requestID = "request_id"
    }

    package init(at: String, actor: String, userID: String, pluginSlug: String?, action: String,
                fromVersion: String?, toVersion: String?, outcome: String, requestID: String?,
                detail: String? = nil) {
        self.at = at; self.actor = actor; self.userID = userID; self.pluginSlug = pluginSlug
        self.action = action; self.fromVersion = fromVersion; self.toVersion = toVersion
        self.outcome = outcome; self.requestID = requestID; self.detail = detail
    }

    package mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Every column in table order, as ``OperationLease/columns``.
    static let columns: [CodingKeys] = [
        .id, .at, .actor, .userID, .pluginSlug, .action, .fromVersion, .toVersion, .outcome, .requestID, .detail,
    ]
    /// Keeps the id (a backup copy's rows); binds ``arguments``.
    static let insertSQL = insertion(into: databaseTableName, columns)
    /// A new event: the database gives the id and returns it (SQLite and PostgreSQL alike); binds
    /// ``arguments`` without the first.
    static let insertNew = insertion(into: databaseTableName, Array(columns.dropFirst())) + " RETURNING id"

    /// The row's values in `columns` order.
    var arguments: [SQLValue] {
        [SQLValue(id), .text(at), .text(actor), .text(userID), SQLValue(pluginSlug), .text(action), SQLValue(fromVersion),
         SQLValue(toVersion), .text(outcome), SQLValue(requestID), SQLValue(detail)]
    }

    init(columns row: some ColumnSource) throws {
        id = try row.optionalInteger(0)
        at = try row.text(1)
        actor = try row.text(2)
        userID = try row.text(3)
        pluginSlug = try row.optionalText(4)
        action = try row.text(5)
        fromVersion = try row.optionalText(6)
        toVersion = try row.optionalText(7)
        outcome = try row.text(8)
        requestID = try row.optionalText(9)
        detail = try row.optionalText(10)
    }
}
