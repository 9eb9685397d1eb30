import Foundation
import LifecycleStore
import PluginCatalog

/// The audit log as users and admins read it.
extension LifecycleService {
    /// Lifecycle events newest first: one user's, or everyone's (`user == nil`, admins only).
    public func audit(user: UserID?, limit: Int, cursor: Int64?) throws(LifecycleError) -> AuditPage {
        try classified {
            let rows = try database.auditEvents(userID: user?.value, limit: limit, before: cursor)
            let events = rows.map {
                AuditPage.Event(id: $0.id ?? 0, at: $0.at, actor: $0.actor, userID: $0.userID, pluginSlug: $0.pluginSlug,
                                action: $0.action, fromVersion: $0.fromVersion, toVersion: $0.toVersion,
                                outcome: $0.outcome, requestID: $0.requestID)
            }
            return AuditPage(events: events, nextCursor: events.count == limit ? events.last.map { String($0.id) } : nil)
        }
    }
}
