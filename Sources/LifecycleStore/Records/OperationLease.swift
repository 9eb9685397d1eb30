import GRDB

/// Ownership of an operation on one (user, plugin) across every process sharing the database.
package struct OperationLease: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "operation_lease"
    package var userID: String
    package var pluginSlug: String
    /// Also the name of the operation's staging folder.
    package var operationID: String
    package var operation: String
    /// `pid:starttime` of the owning process: a dead owner is detected at once, a reused pid is not mistaken for it.
    package var owner: String
    /// Backstop for an owner that hangs: past this time (seconds since 1970) the lease is stale.
    package var expiresAt: Double

    enum CodingKeys: String, CodingKey {
        case operation, owner
        case userID = "user_id", pluginSlug = "plugin_slug", operationID = "operation_id"
        case expiresAt = "expires_at"
    }

    package init(userID: String, pluginSlug: String, operationID: String, operation: String,
                owner: String, expiresAt: Double) {
        self.userID = userID; self.pluginSlug = pluginSlug; self.operationID = operationID
        self.operation = operation; self.owner = owner; self.expiresAt = expiresAt
    }

    /// Decoded by hand, as ``PluginRow`` (status reads the lease first).
    package init(row: Row) throws {
        userID = try row.decode(forColumn: "user_id")
        pluginSlug = try row.decode(forColumn: "plugin_slug")
        operationID = try row.decode(forColumn: "operation_id")
        operation = try row.decode(forColumn: "operation")
        owner = try row.decode(forColumn: "owner")
        expiresAt = try row.decode(forColumn: "expires_at")
    }
}
