import Foundation
import LifecycleStore
import PluginCatalog

/// What the operator commands (`doctor`, `backup`) need of the core, and no more: a status check
/// that never rolls anything back, and a way to keep one plugin's folder still while it is copied.
extension LifecycleService {
    /// Status of every plugin `user` has, as committed, without the recovery `status` runs first:
    /// `doctor` promises to change nothing, so an abandoned operation is reported, not rolled back.
    package func committedStatuses(user: UserID, verify: VerifyMode) throws(LifecycleError) -> [StatusReport] {
        try classified {
            try database.leasesAndHealthRows(userID: user.value).plugins.map { inspect($0, user: user, verify: verify) }
        }
    }

    /// Runs `body` while holding the operation leases of `slugs` for `user`, so no install, update,
    /// repair or uninstall moves those folders or commits their rows meanwhile: what `body` reads of
    /// them, on disk and in the database, is one committed state. Leases held by live operations
    /// are waited for, at most `timeout` seconds; then ``LifecycleError/operationInProgress(slug:operation:)``.
    /// Taking a lease rolls back what a dead owner left, as any operation does.
    ///
    /// A lease is renewed while `body` runs, but a process that stalls past its deadline loses it to
    /// another operation, which then moves folders under it. So once `body` returns, every lease
    /// must still be the one taken (same operation id and generation); if not, ``LeaseLost`` is
    /// thrown and what `body` read must be thrown away.
    package func holdingLeases<T>(user: UserID, slugs: [PluginSlug], timeout: Double, _ body: () throws -> T) throws -> T {
        let deadline = Date().timeIntervalSince1970 + timeout
        while true {
            do {
                return try withOperations(on: slugs.map(\.value), user: user, kind: "backup") { operations in
                    let result = try body()
                    let held = Set(try database.allLeases().map { "\($0.operationID)/\($0.generation)" })
                    let lost = operations.filter { !held.contains("\($0.id)/\($0.generation)") }
                    guard lost.isEmpty else { throw LeaseLost(slugs: lost.map(\.slug)) }
                    // Nothing to commit: give the leases back (run() then removes each staging folder).
                    for operation in operations { try database.releaseLease(operationID: operation.id) }
                    return result
                }
            } catch LifecycleError.operationInProgress where Date().timeIntervalSince1970 < deadline {
                // Operations take milliseconds: poll rather than build a wake-up channel across processes.
                usleep(20_000)
            }
        }
    }

    /// Thrown by ``holdingLeases(user:slugs:timeout:_:)`` when a lease expired and was taken while its body ran.
    package struct LeaseLost: Error, Sendable, Equatable {
        public var slugs: [String]
    }

    /// Whether a lease's owner may still commit (not past its deadline, and alive when it runs on
    /// this process's host): the test recovery applies.
    package static func leaseIsLive(_ lease: OperationLease, now: Double = Date().timeIntervalSince1970) -> Bool {
        LeaseSettings.process.isLive(lease, now: now)
    }

    /// Rolls back the operations of leases whose owners died or whose deadlines passed (`serve`'s
    /// periodic tick), so a dead host's operation does not wait for a request on that plugin.
    package func recoverAbandonedLeases() throws(LifecycleError) {
        _ = try classified { try runner.recoverAbandonedLeases() }
    }

    /// The record a staging folder keeps of its operation, if it has one.
    package static func stagingRecord(inFolder folder: String) -> (operationID: String, userID: String, pluginSlug: String, operation: String)? {
        StagingRecord.read(folder).map { ($0.operationID, $0.userID, $0.pluginSlug, $0.operation) }
    }

    /// The suffix of a staging folder being removed (garbage any sweep may delete).
    public static var removingStagingSuffix: String { OperationRunner.removingSuffix }
}

extension DataDirectory {
    /// `plugins/{user}/{slug}`, absolute; only for validated ids.
    package func installedFolder(user: UserID, slug: PluginSlug) -> String { pluginFolder(user, slug.value) }
    /// Where `deploy/run` keeps the pool's socket and pid file.
    public var runRoot: String { root + "/run" }
}
