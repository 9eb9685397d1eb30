import Foundation
import LifecycleStore
import Logging
import Posix

/// One lifecycle operation on one (user, plugin): its lease, its staging folder, its rollback.
struct Operation: Sendable {
    let id: String
    let user: UserID
    let slug: String
    let kind: String
    let staging: String
    let target: String
    /// The generation of its lease (``OperationLease/generation``), once taken.
    var generation: Int64 = 0

    /// Stops an operation whose lease was taken over or ran past its deadline: called before each
    /// step that writes to disk, so nothing of it lands after another owner took over.
    func requireLease() throws {
        if try LeaseKeeper.shared.isLost(id) { throw LeaseError.lost }
    }

    /// The new copy, built here before it is renamed onto `target`.
    var newFolder: String { staging + "/new" }
    /// The previous copy, moved aside here until the commit.
    var oldFolder: String { staging + "/old" }
    var discardFolder: String { staging + "/discard" }
}

/// What a staging folder says about itself, so a recovery that finds it without a lease knows whose it is.
struct StagingRecord: Codable {
    static let fileName = "operation.json"
    var operationID: String
    var userID: String
    var pluginSlug: String
    var operation: String
    /// The owner's host and process: whose folder this is, for a sweep on another host (absent in
    /// folders from before hosts had ids).
    var host: String?
    var owner: String?

    enum CodingKeys: String, CodingKey {
        case operation, host, owner
        case operationID = "operation_id", userID = "user_id", pluginSlug = "plugin_slug"
    }

    /// Whether `name` is this record's folder: `<host>~<id>`, or `<id>` (an unnamed host's).
    func isNamed(_ name: String) -> Bool {
        name == operationID || (host.map { name == "\($0)~\(operationID)" } ?? false)
    }

    static func read(_ staging: String) -> StagingRecord? {
        guard let data = FileManager.default.contents(atPath: staging + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(StagingRecord.self, from: data)
    }
}

/// Serialises operations on a (user, plugin) across processes and hosts with a lease row, and
/// makes the disk agree with the database when an operation fails or its owner died or stalled.
///
/// The rule that makes recovery simple: the lease row is deleted in the same transaction that
/// commits the operation, and every folder an operation writes carries its operation id. So
/// after any crash the database says what is committed, and `reconcile` moves the folders to match.
///
/// The fence (docs/scale-out.md): a taker first renames the stale owner's staging folder into its
/// own (`…/taken`), so every later step of the stale owner in that folder fails with ENOENT; its
/// commit presents its lease's generation and finds the row gone; and once it knows it lost the
/// lease it neither rolls back nor releases: the new owner already did.
final class OperationRunner: Sendable {
    let database: LifecycleDatabase
    let directory: DataDirectory
    let logger: Logger
    let leases: LeaseSettings

    init(database: LifecycleDatabase, directory: DataDirectory, logger: Logger, leases: LeaseSettings) {
        self.database = database; self.directory = directory; self.logger = logger
        self.leases = leases
    }

    func run<T>(user: UserID, slug: String, kind: String, _ body: (Operation) throws -> T) throws -> T {
        let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        var operation = Operation(id: id, user: user, slug: slug, kind: kind,
                                  staging: directory.stagingFolder(leases.stagingName(id)),
                                  target: directory.pluginFolder(user, slug))
        let since = LeaseKeeper.now()
        let now = Date().timeIntervalSince1970
        let owner = leases.owner
        let proposal = OperationLease(userID: user.value, pluginSlug: slug, operationID: id, operation: kind,
                                      owner: owner.process, expiresAt: now + leases.ttl, ownerHost: owner.host)
        let taken: TakenLease
        do {
            // The staging folder exists before the lease row does, so a taker always finds it to fence.
            taken = try database.takeLease(proposal, isLive: { self.leases.isLive($0, now: now) }) {
                try self.makeStaging(operation, owner: owner)
            }
        } catch {
            try? FileTree.removeTree(operation.staging)
            if case LeaseError.held(let other) = error { throw LifecycleError.operationInProgress(slug: slug, operation: other) }
            throw error
        }
        operation.generation = taken.lease.generation
        LeaseKeeper.shared.keepRenewing(id, database: database, ttl: leases.ttl, since: since)
        defer { LeaseKeeper.shared.forget(id) }
        if let stale = taken.stale {
            logger.warning("taking over a stale operation", metadata: [
                "operation": "\(stale.operation)", "operation_id": "\(stale.operationID)", "owner": "\(stale.owner)",
                "owner_host": "\(stale.ownerHost)", "generation": "\(stale.generation)", "user_id": "\(user)", "plugin_slug": "\(slug)"])
            do {
                let fenced = try fence(stale, into: operation)
                try reconcile(user: user, slug: slug, operationID: stale.operationID, kind: stale.operation, staging: fenced)
            } catch {
                // Its folder stays inside ours, which the next operation on this plugin sweeps (taken/ first).
                logger.error("recovery of a stale operation failed", metadata: [
                    "operation_id": "\(stale.operationID)", "error": "\(error)"])
                try? release(operation)
                throw LifecycleError.operationInProgress(slug: slug, operation: stale.operation)
            }
        }
        // Holding the lease: staging folders of this (user, plugin) that no lease names are finished or
        // dead operations (killed after their commit, or a takeover killed mid-recovery). Only the
        // master's start-up sweep found them before; reconcile them now (never fatal: retried next time).
        for (name, record) in orphanedStaging(user: user, slug: slug) where record.operationID != id {
            do {
                try reconcile(user: user, slug: slug, operationID: record.operationID, kind: record.operation,
                              staging: directory.stagingRoot + "/" + name)
            } catch {
                logger.warning("could not reconcile a leftover staging folder", metadata: [
                    "operation_id": "\(record.operationID)", "error": "\(error)"])
            }
        }
        do {
            let result = try body(operation)
            // Committed: what is left in staging is the previous copy or nothing.
            do { try removeStaging(operation.staging) } catch {
                logger.warning("could not remove a staging folder", metadata: ["operation_id": "\(id)", "error": "\(error)"])
            }
            return result
        } catch {
            if isFenced(operation, error) {
                // The new owner rolls back what we did; a rollback or release of ours now would undo its work.
                logger.warning("fenced: the lease was taken over; this operation stops here", metadata: [
                    "operation_id": "\(id)", "generation": "\(operation.generation)", "user_id": "\(user)",
                    "plugin_slug": "\(slug)", "error": "\(error)"])
                throw LifecycleError.operationInProgress(slug: slug, operation: kind)
            }
            do {
                try reconcile(user: user, slug: slug, operationID: id, kind: kind, staging: operation.staging)
                try release(operation)
            } catch let failure {
                // Keep the lease but let the next caller take it over at once and retry the rollback.
                logger.error("rollback failed; the next operation retries it", metadata: [
                    "operation_id": "\(id)", "error": "\(failure)"])
                try? database.expireLease(operationID: id, generation: operation.generation)
            }
            throw error
        }
    }

    /// Creates the operation's staging folder (one level: the staging root exists) with its record.
    /// Runs in the transaction that writes the lease, which PostgreSQL may re-run: what an earlier
    /// try made is kept (the record says the same: no generation in it).
    private func makeStaging(_ operation: Operation, owner: LeaseOwner) throws {
        do { try FileTree.makeDirectory(operation.staging, mode: 0o700) } catch {
            guard error.code == EEXIST else { throw error }
        }
        let record = StagingRecord(operationID: operation.id, userID: operation.user.value, pluginSlug: operation.slug,
                                   operation: operation.kind, host: owner.host, owner: owner.process)
        do {
            try FileTree.writeFile(operation.staging + "/" + StagingRecord.fileName, Array(try JSONEncoder().encode(record)))
        } catch let error as SystemCallError where error.code == EEXIST {
            return
        }
    }

    /// The fence: moves the stale operation's staging folder into ours as `taken`, so whatever its
    /// owner still does there fails (ENOENT), and returns where it now is. With no folder to move
    /// (removed already), an empty `taken` gives the rollback its place to discard into.
    private func fence(_ stale: OperationLease, into operation: Operation) throws -> String {
        let taken = operation.staging + "/" + Self.takenName
        var names = [stale.operationID]
        if !stale.ownerHost.isEmpty { names.insert("\(stale.ownerHost)~\(stale.operationID)", at: 0) }
        for name in names {
            do {
                try FileTree.rename(directory.stagingRoot + "/" + name, taken)
                try FileTree.syncDirectory(directory.stagingRoot)
                return taken
            } catch {
                guard error.code == ENOENT else { throw error }
            }
        }
        try FileTree.makeDirectory(taken, mode: 0o700)
        return taken
    }

    /// Whether the operation lost its lease: then its failure is the fence's doing, not its own.
    /// Only a lease still held can be lost: a body that fails after its commit (which gave the lease
    /// up) is not fenced. A check that cannot reach the database is an ordinary failure.
    private func isFenced(_ operation: Operation, _ error: any Error) -> Bool {
        guard LeaseKeeper.shared.holds(operation.id) else { return false }
        return (error as? LeaseError) == .lost || (try? LeaseKeeper.shared.isLost(operation.id)) == true
            || !FileTree.exists(operation.staging)
    }

    private func release(_ operation: Operation) throws {
        try database.releaseLease(operationID: operation.id)
    }

    static let takenName = "taken"
    static let removingSuffix = ".removing"
}
