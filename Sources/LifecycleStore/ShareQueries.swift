import GRDB

extension LifecycleDatabase {
    /// Creates pending offers (an identical pending offer is returned instead of duplicated),
    /// with their audit events, in one transaction.
    package func offer(_ shares: [ShareRow], audits: [AuditEventRow]) throws -> [ShareRow] {
        try write { db in
            var result: [ShareRow] = []
            for share in shares {
                // Checked in the transaction: an uninstall that committed meanwhile wins.
                guard try PluginRow.filter(Column("user_id") == share.fromUser && Column("plugin_slug") == share.pluginSlug).fetchCount(db) == 1 else {
                    throw ShareError.senderLacksPlugin
                }
                if let existing = try ShareRow.filter(Column("from_user") == share.fromUser && Column("to_user") == share.toUser
                                                      && Column("plugin_slug") == share.pluginSlug && Column("state") == "pending")
                    .fetchOne(db) {
                    var refreshed = existing
                    refreshed.version = share.version
                    refreshed.updatedAt = share.updatedAt
                    try refreshed.update(db)
                    result.append(refreshed)
                } else {
                    try share.insert(db)
                    result.append(share)
                }
            }
            for audit in audits { try record(audit, db) }
            return result
        }
    }

    /// Pending offers made to `userID`, oldest first.
    package func pendingShares(to userID: String) throws -> [ShareRow] {
        try read { db in
            try ShareRow.filter(Column("to_user") == userID && Column("state") == "pending").order(Column("created_at"), Column("id")).fetchAll(db)
        }
    }

    /// Pending offers `userID` made, oldest first (one offer to several users in recipient order):
    /// what the sender can still withdraw.
    package func pendingShares(from userID: String) throws -> [ShareRow] {
        try read { db in
            try ShareRow.filter(Column("from_user") == userID && Column("state") == "pending")
                .order(Column("created_at"), Column("plugin_slug"), Column("to_user"), Column("id")).fetchAll(db)
        }
    }

    package func share(id: String) throws -> ShareRow? {
        try read { db in try ShareRow.fetchOne(db, key: id) }
    }

    /// Moves a pending share to `state`; false if it was no longer pending.
    package func settleShare(id: String, state: String, at now: String, audit: AuditEventRow) throws -> Bool {
        try write { db in
            try db.execute(sql: "UPDATE share SET state = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
                           arguments: [state, now, id])
            guard db.changesCount == 1 else { return false }
            try record(audit, db)
            return true
        }
    }

    package func sharesCount(involving userID: String) throws -> Int {
        try read { db in
            try ShareRow.filter(Column("from_user") == userID || Column("to_user") == userID).fetchCount(db)
        }
    }
}
