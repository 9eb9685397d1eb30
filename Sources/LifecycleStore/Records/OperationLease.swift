import GRDB

/// Ownership of an operation on one (user, plugin) across every process sharing the database.
package struct OperationLease: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "operation_lease"
    package var userID: String
    package var pluginSlug: String
    /// Also the name of the operation's staging folder (behind `ownerHost~` when hosts are named).
    package var operationID: String
    package var operation: String
    /// `pid:starttime` of the owning process: a dead owner on this host is detected at once, a reused pid is not mistaken for it.
    package var owner: String
    /// The deadline (seconds since 1970): the owner's ``LeaseKeeper`` pushes it on while the
    /// operation runs; past it the lease is stale, whatever host holds it.
    package var expiresAt: Double
    /// The host the owner runs on (`serve --host-id`); empty on a lease written before hosts had ids,
    /// which came from this machine.
    package var ownerHost: String
    /// Unique per acquisition (the `lease_counter` never repeats): the fencing token a renewal and
    /// the commit present, so a holder that stalled past its deadline never writes over the next one.
    package var generation: Int64

    enum CodingKeys: String, CodingKey {
        case operation, owner, generation
        case userID = "user_id", pluginSlug = "plugin_slug", operationID = "operation_id"
        case expiresAt = "expires_at", ownerHost = "owner_host"
    }

    package init(userID: String, pluginSlug: String, operationID: String, operation: String,
                owner: String, expiresAt: Double, ownerHost: String = "", generation: Int64 = 0) {
        self.userID = userID; self.pluginSlug = pluginSlug; self.operationID = operationID
        self.operation = operation; self.owner = owner; self.expiresAt = expiresAt
        self.ownerHost = ownerHost; self.generation = generation
    }

    /// Every column in table order: what GRDB selects for this record (so `SELECT *` reads the
    /// same positions) and what the hot reader selects. `init(columns:)` reads them in this order.
    static let columns: [CodingKeys] = [.userID, .pluginSlug, .operationID, .operation, .owner, .expiresAt, .ownerHost, .generation]
    package static var databaseSelection: [any SQLSelectable] { columns.map { Column($0) } }

    package init(row: Row) throws { try self.init(columns: row) }

    init(columns row: some ColumnSource) throws {
        userID = try row.text(0)
        pluginSlug = try row.text(1)
        operationID = try row.text(2)
        operation = try row.text(3)
        owner = try row.text(4)
        expiresAt = try row.real(5)
        ownerHost = try row.text(6)
        generation = try row.integer(7)
    }
}
