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

    /// Every column in table order, as ``OperationLease/columns``.
    static let columns: [CodingKeys] = [.id, .pluginSlug, .version, .fromUser, .toUser, .state, .createdAt, .updatedAt]
    static let insertSQL = insertion(into: databaseTableName, columns)

    /// The row's values in `columns` order: what ``insertSQL`` binds.
    var arguments: [SQLValue] {
        [.text(id), .text(pluginSlug), .text(version), .text(fromUser), .text(toUser), .text(state), .text(createdAt),
         .text(updatedAt)]
    }

    init(columns row: some ColumnSource) throws {
        id = try row.text(0)
        pluginSlug = try row.text(1)
        version = try row.text(2)
        fromUser = try row.text(3)
        toUser = try row.text(4)
        state = try row.text(5)
        createdAt = try row.text(6)
        updatedAt = try row.text(7)
    }
}
