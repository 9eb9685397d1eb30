import GRDB

/// One lifecycle change, written in the transaction of the change itself.
public struct AuditEventRow: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "audit_event"
    public var id: Int64?
    public var at: String
    /// Who asked: the caller's user id (an admin acting for others), or `cli`.
    public var actor: String
    /// Whose plugins changed.
    public var userID: String
    public var pluginSlug: String?
    public var action: String
    public var fromVersion: String?
    public var toVersion: String?
    public var outcome: String
    public var requestID: String?
    public var detail: String?

    enum CodingKeys: String, CodingKey {
        case id, at, actor, action, outcome, detail
        case userID = "user_id", pluginSlug = "plugin_slug", fromVersion = "from_version"
        case toVersion = "to_version", requestID = "request_id"
    }

    public init(at: String, actor: String, userID: String, pluginSlug: String?, action: String,
                fromVersion: String?, toVersion: String?, outcome: String, requestID: String?,
                detail: String? = nil) {
        self.at = at; self.actor = actor; self.userID = userID; self.pluginSlug = pluginSlug
        self.action = action; self.fromVersion = fromVersion; self.toVersion = toVersion
        self.outcome = outcome; self.requestID = requestID; self.detail = detail
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
