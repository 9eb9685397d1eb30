import Foundation
import LifecycleStore
import PluginCatalog

/// Offers of a plugin between users.
extension LifecycleService {
    /// Offers the caller's installed version of `slug` to each of `recipients`.
    package func share(user: UserID, slug: PluginSlug, with recipients: [UserID],
                      context: OperationContext) throws(LifecycleError) -> ShareList {
        try classified {
            guard let installed = try database.installedPlugin(userID: user.value, slug: slug.value) else {
                throw LifecycleError.notInstalled(slug: slug.value)
            }
            let now = Timestamp.now()
            var seen: Set<UserID> = []
            let unique = recipients.filter { seen.insert($0).inserted }
            let rows = unique.map { recipient in
                ShareRow(id: Self.newShareID(), pluginSlug: slug.value, version: installed.plugin.version,
                         fromUser: user.value, toUser: recipient.value, createdAt: now, updatedAt: now)
            }
            let audits = unique.map { recipient in
                AuditEventRow(at: now, actor: context.actor, userID: user.value, pluginSlug: slug.value, action: "share",
                              fromVersion: nil, toVersion: installed.plugin.version, outcome: "success",
                              requestID: context.requestID, detail: "to \(recipient.value)")
            }
            let offered = try database.offer(rows, audits: audits)
            return ShareList(shares: offered.map(Self.offer), totalCount: nil)
        }
    }

    /// Which side of an offer the caller is on.
    public enum ShareDirection: Sendable { case received, sent }

    /// Pending offers made to the caller (`received`), or by the caller (`sent`: the ones it can withdraw).
    public func shared(user: UserID, direction: ShareDirection = .received) throws(LifecycleError) -> ShareList {
        try classified {
            let rows = switch direction {
            case .received: try database.pendingShares(to: user.value)
            case .sent: try database.pendingShares(from: user.value)
            }
            let offers = rows.map(Self.offer)
            return ShareList(shares: offers, totalCount: offers.count)
        }
    }

    /// The recipient installs the offered version (with its dependencies); the offer is settled in the same commit.
    public func accept(user: UserID, shareID: String, context: OperationContext) throws(LifecycleError) -> AcceptResult {
        let share = try pendingShare(shareID)
        guard share.toUser == user.value else { throw .forbidden("This share was not offered to you") }
        let slug = try Self.slug(share.pluginSlug)
        if let existing = try classified({ try database.installedPlugin(userID: user.value, slug: slug.value) }) {
            throw .alreadyInstalled(slug: slug.value, version: existing.plugin.version)
        }
        let version = try Self.version(share.version)
        let now = Timestamp.now()
        let settle = LifecycleDatabase.Change.settleShare(
            id: share.id, state: "accepted", at: now,
            audit: AuditEventRow(at: now, actor: context.actor, userID: user.value, pluginSlug: slug.value, action: "accept",
                                 fromVersion: nil, toVersion: share.version, outcome: "success",
                                 requestID: context.requestID, detail: "from \(share.fromUser)"))
        let result = try install(user: user, slug: slug, version: version, context: context, alsoCommitting: [settle])
        return AcceptResult(install: result, shareID: share.id)
    }

    /// The recipient declines, or the sender withdraws, a pending offer.
    public func settle(user: UserID, shareID: String, context: OperationContext) throws(LifecycleError) -> ShareSettlement {
        let share = try pendingShare(shareID)
        let state: String
        if share.toUser == user.value { state = "declined" }
        else if share.fromUser == user.value { state = "withdrawn" }
        else { throw .forbidden("This share is neither offered to you nor made by you") }
        let now = Timestamp.now()
        let settled = try classified {
            try database.settleShare(id: share.id, state: state, at: now, audit: AuditEventRow(
                at: now, actor: context.actor, userID: user.value, pluginSlug: share.pluginSlug,
                action: state == "declined" ? "decline" : "withdraw", fromVersion: nil, toVersion: share.version,
                outcome: "success", requestID: context.requestID, detail: "share \(share.id)"))
        }
        guard settled else { throw .shareNotFound(id: shareID) }
        return ShareSettlement(shareID: share.id, state: state)
    }

    func pendingShare(_ id: String) throws(LifecycleError) -> ShareRow {
        guard id.utf8.count <= 64, let share = try classified({ try database.share(id: id) }), share.state == "pending" else {
            throw .shareNotFound(id: id)
        }
        return share
    }

    static func offer(_ row: ShareRow) -> ShareOffer {
        ShareOffer(shareID: row.id, pluginSlug: row.pluginSlug, version: row.version, fromUser: row.fromUser,
                   toUser: row.toUser, createdAt: row.createdAt)
    }

    static func newShareID() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
