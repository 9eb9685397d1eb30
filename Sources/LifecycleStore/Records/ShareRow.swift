import GRDB

/// An offer of `from_user`'s installed version of a plugin to `to_user`.
/// States: `pending`, then `accepted`, `declined` or `withdrawn`. Offers of a plugin the sender
/// uninstalls are deleted with it.
package struct ShareRow: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "share"
    package var id: String
    package var pluginSlug: String
    package var version: String
    package var fromUser: String
    package var toUser: String
    package var state: String
    package var createdAt: String
    package var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, version, state
        case pluginSlug = "plugin_slug", fromUser = "from_user", toUser = "to_user"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    package init(id: String, pluginSlug: String, version: String, fromUser: String, toUser: String,
                state: String = "pending", createdAt: String, updatedAt: String) {
        self.id = id; self.pluginSlug = pluginSlug; self.version = version; self.fromUser = fromUser
        self.toUser = toUser; self.state = state; self.createdAt = createdAt; self.updatedAt = updatedAt
    }
}
