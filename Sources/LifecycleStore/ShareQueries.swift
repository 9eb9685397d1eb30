extension LifecycleDatabase {
    /// Moves a pending share to a state (binds state, updated_at, id): no row changes once it is settled.
    static let settlePendingShare = "UPDATE share SET state = ?, updated_at = ? WHERE id = ? AND state = 'pending'"
    private static let shareColumns = selection(ShareRow.columns)

    /// Creates pending offers (an identical pending offer is returned instead of duplicated),
    /// with their audit events, in one transaction.
    package func offer(_ shares: [ShareRow], audits: [AuditEventRow]) throws -> [ShareRow] {
        try write { db in
            var result: [ShareRow] = []
            for share in shares {
                // Checked in the transaction: an uninstall that committed meanwhile wins.
                let senderHas = try db.one("SELECT count(*) FROM plugin WHERE user_id = ? AND plugin_slug = ?",
                                           [.text(share.fromUser), .text(share.pluginSlug)]) { try $0.integer(0) }
                guard senderHas == 1 else { throw ShareError.senderLacksPlugin }
                let existing = try db.one("""
                    SELECT \(Self.shareColumns) FROM share
                    WHERE from_user = ? AND to_user = ? AND plugin_slug = ? AND state = 'pending' LIMIT 1
                    """, [.text(share.fromUser), .text(share.toUser), .text(share.pluginSlug)]) { try ShareRow(columns: $0) }
                if var refreshed = existing {
                    refreshed.version = share.version
                    refreshed.updatedAt = share.updatedAt
                    try db.execute("UPDATE share SET version = ?, updated_at = ? WHERE id = ?",
                                   [.text(refreshed.version), .text(refreshed.updatedAt), .text(refreshed.id)])
                    result.append(refreshed)
                } else {
                    try db.execute(ShareRow.insertSQL, share.arguments)
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
            try db.all("SELECT \(Self.shareColumns) FROM share WHERE to_user = ? AND state = 'pending' ORDER BY created_at, id",
                       [.text(userID)]) { try ShareRow(columns: $0) }
        }
    }

    /// Pending offers `userID` made, oldest first (one offer to several users in recipient order):
    /// what the sender can still withdraw.
    package func pendingShares(from userID: String) throws -> [ShareRow] {
        try read { db in
            try db.all("""
                SELECT \(Self.shareColumns) FROM share WHERE from_user = ? AND state = 'pending'
                ORDER BY created_at, plugin_slug, to_user, id
                """, [.text(userID)]) { try ShareRow(columns: $0) }
        }
    }

    package func share(id: String) throws -> ShareRow? {
        try read { db in try db.one("SELECT \(Self.shareColumns) FROM share WHERE id = ?", [.text(id)]) { try ShareRow(columns: $0) } }
    }

    /// Moves a pending share to `state`; false if it was no longer pending.
    package func settleShare(id: String, state: String, at now: String, audit: AuditEventRow) throws -> Bool {
        try write { db in
            guard try db.execute(Self.settlePendingShare, [.text(state), .text(now), .text(id)]) == 1 else { return false }
            try record(audit, db)
            return true
        }
    }

    package func sharesCount(involving userID: String) throws -> Int {
        try read { db in
            Int(try db.one("SELECT count(*) FROM share WHERE from_user = ? OR to_user = ?", [.text(userID), .text(userID)]) {
                try $0.integer(0)
            } ?? 0)
        }
    }
}
