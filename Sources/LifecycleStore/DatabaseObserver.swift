import Foundation
import GRDB

/// What a process wants to hear from the store, for its log and metrics (the store itself neither
/// logs nor counts).
package struct DatabaseObserver: Sendable {
    /// An audit event whose transaction committed: one lifecycle change.
    package var auditCommitted: (@Sendable (AuditEventRow) -> Void)?
    /// A connection found the database locked and starts waiting (once per wait, not per retry).
    package var busyWait: (@Sendable () -> Void)?

    package init(auditCommitted: (@Sendable (AuditEventRow) -> Void)? = nil, busyWait: (@Sendable () -> Void)? = nil) {
        self.auditCommitted = auditCommitted; self.busyWait = busyWait
    }
}

/// SQLite's own busy handler, counted: the same back-off as `sqlite3_busy_timeout` (1, 2, 5, 10,
/// 15, 20, 25, 25, 25, 50, 50, 100 ms, then 100 ms) up to the same total, so behaviour under
/// contention is unchanged by observing it.
enum BusyWait {
    static let delaysMillis = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100]

    static func callback(timeout: TimeInterval, started: @escaping @Sendable () -> Void) -> Database.BusyCallback {
        let limitMillis = Int(timeout * 1000)
        return { tries in
            if tries == 0 { started() }
            let waited = waitedMillis(beforeTry: tries)
            guard waited < limitMillis else { return false }
            let delay = min(delaysMillis[min(tries, delaysMillis.count - 1)], limitMillis - waited)
            usleep(useconds_t(delay * 1000))
            return true
        }
    }

    /// Milliseconds slept before try number `tries` (0-based).
    static func waitedMillis(beforeTry tries: Int) -> Int {
        let known = delaysMillis.prefix(tries).reduce(0, +)
        return known + max(0, tries - delaysMillis.count) * delaysMillis.last!
    }
}
