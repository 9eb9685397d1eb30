import Foundation
import Posix

/// The leases this process holds, with the generation each was taken with (what its commit
/// presents), and one thread that renews those of running operations every ttl/3.
///
/// A renewal that changes no row means the lease was taken over: the operation is flagged lost,
/// and its runner stops before its next disk step. A renewal that fails (busy or unreachable
/// database) is retried and flags nothing. When the deadline passes on this process's monotonic
/// clock without a renewal (the process stalled, or the database was slow), the next check
/// renews once itself: another host may have taken the lease, and only the row can say.
package final class LeaseKeeper: Sendable {
    package static let shared = LeaseKeeper()

    private struct Renewal {
        let database: LifecycleDatabase
        let ttl: Double
        /// Monotonic seconds until which the lease is known to be ours.
        var confirmedUntil: Double
        var due: Double
    }

    private struct Held {
        var generation: Int64
        var lost = false
        var renewal: Renewal?
    }

    private let held = Locked<[String: Held]>([:])
    private let started = Locked(false)

    /// Records a lease this process has just taken (``LifecycleDatabase/takeLease(_:isLive:prepare:)``).
    func took(_ lease: OperationLease) {
        held.withLock { $0[lease.operationID] = Held(generation: lease.generation) }
    }

    /// Renews `operationID` through `database` until ``forget(_:)``. `since` is the monotonic time
    /// (``LeaseKeeper/now()``) taken before the lease's deadline was computed.
    package func keepRenewing(_ operationID: String, database: LifecycleDatabase, ttl: Double, since: Double) {
        held.withLock {
            $0[operationID]?.renewal = Renewal(database: database, ttl: ttl, confirmedUntil: since + ttl, due: since + ttl / 3)
        }
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        if first { _ = startThread { [self] in run() } }
    }

    package func generation(of operationID: String) -> Int64? {
        held.withLock { $0[operationID]?.generation }
    }

    /// Whether the operation may no longer write: its lease was taken over, or this process does
    /// not hold it. Past the deadline without a renewal, one renewal now decides; its error is
    /// thrown (an ordinary failure: the lease may well still be ours).
    package func isLost(_ operationID: String) throws -> Bool {
        let start = Self.now()
        guard let entry = held.withLock({ $0[operationID] }) else { return true }
        guard !entry.lost else { return true }
        guard let renewal = entry.renewal, start >= renewal.confirmedUntil else { return false }
        let renewed = try renewal.database.renewLease(operationID: operationID, generation: entry.generation,
                                                      expiresAt: Date().timeIntervalSince1970 + renewal.ttl)
        settle(operationID, generation: entry.generation, renewed: renewed, start: start)
        return !renewed
    }

    /// Whether this process still holds `operationID`'s lease (not yet committed, released or forgotten).
    package func holds(_ operationID: String) -> Bool {
        held.withLock { $0[operationID] != nil }
    }

    /// The operation ended (committed, released, or fenced): no more renewals.
    package func forget(_ operationID: String) {
        _ = held.withLock { $0.removeValue(forKey: operationID) }
    }

    private func run() {
        while true {
            let now = Self.now()
            let due = held.withLock { held in
                held.compactMap { id, entry in
                    entry.renewal.flatMap { !entry.lost && $0.due <= now ? (id, entry.generation, $0) : nil }
                }
            }
            for (id, generation, renewal) in due { renew(id, generation: generation, renewal) }
            usleep(50_000)
        }
    }

    private func renew(_ operationID: String, generation: Int64, _ renewal: Renewal) {
        let start = Self.now()
        let renewed: Bool?
        do {
            renewed = try renewal.database.renewLease(operationID: operationID, generation: generation,
                                                      expiresAt: Date().timeIntervalSince1970 + renewal.ttl)
        } catch {
            renewed = nil  // busy or unreachable: try again soon; past the deadline, the next check renews itself
        }
        settle(operationID, generation: generation, renewed: renewed, start: start)
    }

    /// Records a renewal begun at monotonic `start`: true pushes the deadline, false (no row) flags
    /// the lease lost, nil (an error) retries soon.
    private func settle(_ operationID: String, generation: Int64, renewed: Bool?, start: Double) {
        held.withLock { held in
            guard var entry = held[operationID], entry.generation == generation, var next = entry.renewal else { return }
            switch renewed {
            case true?:
                next.confirmedUntil = max(next.confirmedUntil, start + next.ttl)
                next.due = max(next.due, start + next.ttl / 3)
            case false?:
                entry.lost = true
            case nil:
                next.due = Self.now() + min(0.2, next.ttl / 10)
            }
            entry.renewal = next
            held[operationID] = entry
        }
    }

    /// Monotonic seconds: deadlines on this process's clock never jump with the wall clock.
    package static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
