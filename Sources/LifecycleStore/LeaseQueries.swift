import GRDB

package enum LeaseError: Error, Sendable, Equatable {
    /// Another live process owns the (user, plugin).
    case held(operation: String)
    /// Our lease was taken over (we were judged dead or too slow); the operation must roll back.
    case lost
}

/// Taking and giving back the per-(user, plugin) operation lease.
extension LifecycleDatabase {
    /// Takes the lease for `lease.userID`/`lease.pluginSlug` in an IMMEDIATE transaction.
    /// A lease whose owner `isAlive` says is gone (or that expired) is replaced, and returned
    /// so the caller can roll back what its operation left behind.
    package func acquireLease(_ lease: OperationLease, now: Double, isAlive: (OperationLease) -> Bool) throws -> OperationLease? {
        try sqlite.writeGRDB { db in
            let existing = try OperationLease
                .filter(Column("user_id") == lease.userID && Column("plugin_slug") == lease.pluginSlug)
                .fetchOne(db)
            if let existing {
                if existing.expiresAt > now && isAlive(existing) {
                    throw LeaseError.held(operation: existing.operation)
                }
                try existing.delete(db)
            }
            try lease.insert(db)
            return existing
        }
    }

    /// Gives the lease back without committing anything (the operation failed and rolled back).
    package func releaseLease(operationID: String) throws {
        try sqlite.writeGRDB { db in
            _ = try OperationLease.filter(Column("operation_id") == operationID).deleteAll(db)
        }
    }

    /// Pushes the expiry of a lease we hold (long operations).
    package func renewLease(operationID: String, expiresAt: Double) throws {
        try sqlite.writeGRDB { db in
            try db.execute(sql: "UPDATE operation_lease SET expires_at = ? WHERE operation_id = ?",
                           arguments: [expiresAt, operationID])
        }
    }

    package func lease(userID: String, slug: String) throws -> OperationLease? {
        try read { db in try Self.lease(db, userID: userID, slug: slug) }
    }

    static func lease(_ db: any SQLTransaction, userID: String, slug: String) throws -> OperationLease? {
        try db.one(HotQueries.leaseOfPlugin, [.text(userID), .text(slug)]) { try OperationLease(columns: $0) }
    }

    package func leases(userID: String) throws -> [OperationLease] {
        try sqlite.readGRDB { db in try OperationLease.filter(Column("user_id") == userID).fetchAll(db) }
    }

    package func allLeases() throws -> [OperationLease] {
        try sqlite.readGRDB { db in try OperationLease.fetchAll(db) }
    }

    /// The commit fence: the first statement of every commit deletes the committer's own lease, in
    /// the transaction that writes its rows. A lease taken over by another process (ours was judged
    /// dead or too slow) is gone, so nothing of ours commits over the new owner.
    static func consumeLease(_ db: any SQLTransaction, operationID: String) throws {
        guard try db.execute("DELETE FROM operation_lease WHERE operation_id = ?", [.text(operationID)]) == 1 else {
            throw LeaseError.lost
        }
    }

    /// Removes a stale lease, but only if it is still the one the caller examined.
    package func removeLease(_ lease: OperationLease) throws -> Bool {
        try sqlite.writeGRDB { db in
            try OperationLease.filter(Column("operation_id") == lease.operationID).deleteAll(db) == 1
        }
    }
}
