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

    /// Every column in table order: what GRDB selects for this record (so `SELECT *` reads the
    /// same positions) and what the hot reader selects. `init(columns:)` reads them in this order.
    static let columns: [CodingKeys] = [.userID, .pluginSlug, .operationID, .operation, .owner, .expiresAt]
    package static var databaseSelection: [any SQLSelectable] { columns.map { Column($0) } }

    package init(row: Row) throws { try self.init(columns: row) }

    init(columns row: some ColumnSource) throws {
        userID = try row.text(0)
        pluginSlug = try row.text(1)
        operationID = try row.text(2)
        operation = try row.text(3)
        owner = try row.text(4)
        expiresAt = try row.real(5)
    }
}
