package enum LeaseError: Error, Sendable, Equatable {
    /// Another live process owns the (user, plugin).
    case held(operation: String)
    /// Our lease was taken over (we were judged dead or too slow); the operation must roll back.
    case lost
}

/// A lease just taken, and the stale one it replaced (its operation is the taker's to roll back).
package struct TakenLease: Sendable, Equatable {
    package var lease: OperationLease
    package var stale: OperationLease?
}

/// Taking, renewing and giving back the per-(user, plugin) operation lease. The rules are SQL text
/// over ``SQLTransaction`` (the same on SQLite and PostgreSQL); the methods below only open the
/// transaction.
extension LifecycleDatabase {
    /// Takes the lease for `lease.userID`/`lease.pluginSlug` in one write transaction. A lease whose
    /// owner is not `isLive` (dead, or past its deadline) is replaced, and returned so the caller can
    /// roll back what its operation left behind. `prepare` runs in that transaction once no live
    /// lease stands in the way, before the row: a lease never exists without what `prepare` made
    /// (the staging folder), and nothing is made while another operation holds the lease (whose
    /// sweep would take it for an orphan). PostgreSQL may re-run the transaction, so `prepare` must
    /// be idempotent. The lease is then known to ``LeaseKeeper/shared``.
    package func takeLease(_ lease: OperationLease, isLive: (OperationLease) -> Bool,
                           prepare: () throws -> Void = {}) throws -> TakenLease {
        // PostgreSQL draws the generation before (PostgresEngine.drawLeaseGeneration); SQLite, one
        // writer at a time, inside the transaction, which costs no second commit.
        let drawn = try postgres?.drawLeaseGeneration()
        let taken = try write { db in try Self.takeLease(db, lease, isLive: isLive, generation: drawn, prepare: prepare) }
        LeaseKeeper.shared.took(taken.lease)
        return taken
    }

    /// ``takeLease(_:isLive:prepare:)`` judging a lease stale when expired at `now` or when its
    /// owner is not `isAlive`. Returns the stale lease replaced.
    package func acquireLease(_ lease: OperationLease, now: Double, isAlive: (OperationLease) -> Bool) throws -> OperationLease? {
        try takeLease(lease, isLive: { $0.expiresAt > now && isAlive($0) }).stale
    }

    /// `generation`: drawn already, or nil to draw it in this transaction.
    static func takeLease(_ db: any SQLTransaction, _ proposed: OperationLease, isLive: (OperationLease) -> Bool,
                          generation drawn: Int64?, prepare: () throws -> Void) throws -> TakenLease {
        let existing = try lease(db, userID: proposed.userID, slug: proposed.pluginSlug)
        if let existing, isLive(existing) { throw LeaseError.held(operation: existing.operation) }
        try prepare()
        guard let generation = try drawn ?? db.one(LeaseCounter.draw, [], { try $0.integer(0) }) else {
            throw StoreError.failed("lease_counter missing")
        }
        var lease = proposed
        lease.generation = generation
        let arguments: [SQLValue] = [.text(lease.operationID), .text(lease.operation), .text(lease.owner), .text(lease.ownerHost),
                                     .integer(generation), .real(lease.expiresAt)]
        let written: Int
        if let existing {
            // Taken over in place, only if it is still the lease judged stale.
            written = try db.execute("""
                UPDATE operation_lease SET operation_id = ?, operation = ?, owner = ?, owner_host = ?, generation = ?, expires_at = ?
                WHERE user_id = ? AND plugin_slug = ? AND generation = ?
                """, arguments + [.text(lease.userID), .text(lease.pluginSlug), .integer(existing.generation)])
        } else {
            written = try db.execute("""
                INSERT INTO operation_lease (operation_id, operation, owner, owner_host, generation, expires_at, user_id, plugin_slug)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, plugin_slug) DO NOTHING
                """, arguments + [.text(lease.userID), .text(lease.pluginSlug)])
        }
        // Only a concurrent taker on a store without one writer at a time gets here.
        guard written == 1 else { throw LeaseError.held(operation: existing?.operation ?? proposed.operation) }
        return TakenLease(lease: lease, stale: existing)
    }

    /// Gives the lease back without committing anything (the operation failed and rolled back).
    /// A lease this process did not take (an operator's, a test's) goes by its operation id alone,
    /// which no takeover reuses.
    package func releaseLease(operationID: String) throws {
        let generation = LeaseKeeper.shared.generation(of: operationID)
        try write { db in _ = try Self.releaseLease(db, operationID: operationID, generation: generation) }
        LeaseKeeper.shared.forget(operationID)
    }

    @discardableResult
    static func releaseLease(_ db: any SQLTransaction, operationID: String, generation: Int64?) throws -> Bool {
        guard let generation else {
            return try db.execute("DELETE FROM operation_lease WHERE operation_id = ?", [.text(operationID)]) == 1
        }
        return try db.execute("DELETE FROM operation_lease WHERE operation_id = ? AND generation = ?",
                              [.text(operationID), .integer(generation)]) == 1
    }

    /// Moves the deadline of a lease we hold; false when it is no longer ours (taken over).
    package func renewLease(operationID: String, generation: Int64, expiresAt: Double) throws -> Bool {
        try write { db in try Self.renewLease(db, operationID: operationID, generation: generation, expiresAt: expiresAt) }
    }

    static func renewLease(_ db: any SQLTransaction, operationID: String, generation: Int64, expiresAt: Double) throws -> Bool {
        try db.execute("UPDATE operation_lease SET expires_at = ? WHERE operation_id = ? AND generation = ?",
                       [.real(expiresAt), .text(operationID), .integer(generation)]) == 1
    }

    package func lease(userID: String, slug: String) throws -> OperationLease? {
        try read { db in try Self.lease(db, userID: userID, slug: slug) }
    }

    static func lease(_ db: any SQLTransaction, userID: String, slug: String) throws -> OperationLease? {
        try db.one(HotQueries.leaseOfPlugin, [.text(userID), .text(slug)]) { try OperationLease(columns: $0) }
    }

    package func leases(userID: String) throws -> [OperationLease] {
        try read { db in try db.all(HotQueries.leasesOfUser, [.text(userID)]) { try OperationLease(columns: $0) } }
    }

    package func allLeases() throws -> [OperationLease] {
        try read { db in try Self.allLeases(db) }
    }

    static func allLeases(_ db: any SQLTransaction) throws -> [OperationLease] {
        try db.all("SELECT \(selection(OperationLease.columns)) FROM operation_lease", []) { try OperationLease(columns: $0) }
    }

    /// The commit fence: the first statement of every commit deletes the committer's own lease, in
    /// the transaction that writes its rows, by operation id and generation. A lease taken over by
    /// another process (ours was judged dead or too slow) is gone, so nothing of ours commits over
    /// the new owner.
    static func consumeLease(_ db: any SQLTransaction, operationID: String, generation: Int64) throws {
        guard try db.execute("DELETE FROM operation_lease WHERE operation_id = ? AND generation = ?",
                             [.text(operationID), .integer(generation)]) == 1 else {
            throw LeaseError.lost
        }
        db.afterCommit { LeaseKeeper.shared.forget(operationID) }
    }

    /// ``consumeLease(_:operationID:generation:)`` with the generation this process took the lease
    /// with: only a lease this process holds can commit.
    static func consumeLease(_ db: any SQLTransaction, operationID: String) throws {
        guard let generation = LeaseKeeper.shared.generation(of: operationID) else { throw LeaseError.lost }
        try consumeLease(db, operationID: operationID, generation: generation)
    }

    /// Removes a stale lease, but only if it is still the one the caller examined.
    package func removeLease(_ lease: OperationLease) throws -> Bool {
        try write { db in try Self.releaseLease(db, operationID: lease.operationID, generation: lease.generation) }
    }

    /// Makes a lease we hold stale at once (its rollback failed): the next caller takes it over and retries.
    package func expireLease(operationID: String, generation: Int64) throws {
        _ = try renewLease(operationID: operationID, generation: generation, expiresAt: 0)
    }
}

/// The counter every lease acquisition draws its generation from; it never repeats.
enum LeaseCounter {
    static let draw = "UPDATE lease_counter SET generation = generation + 1 WHERE id = 1 RETURNING generation"
}
