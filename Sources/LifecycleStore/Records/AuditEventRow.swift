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
}
