import Foundation
import LifecycleStore
import Logging

/// One lifecycle operation on one (user, plugin): its lease, its staging folder, its rollback.
struct Operation: Sendable {
    let id: String
    let user: UserID
    let slug: String
    let kind: String
    let staging: String
    let target: String

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

    enum CodingKeys: String, CodingKey {
        case operation
        case operationID = "operation_id", userID = "user_id", pluginSlug = "plugin_slug"
    }
}

/// Serialises operations on a (user, plugin) across processes with a lease row, and makes the
/// disk agree with the database when an operation fails or its process died.
///
/// The rule that makes recovery simple: the lease row is deleted in the same transaction that
/// commits the operation, and every folder an operation writes carries its operation id. So
/// after any crash the database says what is committed, and `reconcile` moves the folders to match.
final class OperationRunner: Sendable {
    let database: LifecycleDatabase
    let directory: DataDirectory
    let logger: Logger
    /// A hung owner loses its lease after this long; a dead owner at once (its pid is checked).
    let leaseSeconds: Double

    init(database: LifecycleDatabase, directory: DataDirectory, logger: Logger, leaseSeconds: Double = 120) {
        self.database = database; self.directory = directory; self.logger = logger
        self.leaseSeconds = leaseSeconds
    }

    func run<T>(user: UserID, slug: String, kind: String, _ body: (Operation) throws -> T) throws -> T {
        let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let operation = Operation(id: id, user: user, slug: slug, kind: kind,
                                  staging: directory.stagingFolder(id),
                                  target: directory.pluginFolder(user, slug))
        let now = Date().timeIntervalSince1970
        let lease = OperationLease(userID: user.value, pluginSlug: slug, operationID: id, operation: kind,
                                   owner: ProcessIdentity.current, expiresAt: now + leaseSeconds)
        let stale: OperationLease?
        do {
            stale = try database.acquireLease(lease, now: now) { ProcessIdentity.isAlive($0.owner) }
        } catch LeaseError.held(let other) {
            throw LifecycleError.operationInProgress(slug: slug, operation: other)
        }
        if let stale {
            logger.warning("taking over a stale operation", metadata: [
                "operation": "\(stale.operation)", "operation_id": "\(stale.operationID)",
                "owner": "\(stale.owner)", "user_id": "\(user)", "plugin_slug": "\(slug)"])
            reconcile(user: user, slug: slug, staging: directory.stagingFolder(stale.operationID))
        }
        do {
            try FileTree.makeDirectories(operation.staging, mode: 0o700)
            let record = StagingRecord(operationID: id, userID: user.value, pluginSlug: slug, operation: kind)
            try FileTree.writeFile(operation.staging + "/" + StagingRecord.fileName, Array(try JSONEncoder().encode(record)))
            let result = try body(operation)
            // Committed: what is left in staging is the previous copy or nothing.
            do { try FileTree.removeTree(operation.staging) } catch {
                logger.warning("could not remove a staging folder", metadata: ["operation_id": "\(id)", "error": "\(error)"])
            }
            return result
        } catch {
            reconcile(user: user, slug: slug, staging: operation.staging)
            do { try database.releaseLease(operationID: id) } catch {
                logger.error("could not release a lease; it will expire", metadata: ["operation_id": "\(id)", "error": "\(error)"])
            }
            throw error
        }
    }

    /// Makes the user's folder match the committed row, using what `staging` holds, then removes `staging`.
    /// Idempotent, so a crash during recovery is recovered by the next one. Call only while holding
    /// the (user, plugin) lease, or before any worker runs.
    func reconcile(user: UserID, slug: String, staging: String) {
        let target = directory.pluginFolder(user, slug)
        do {
            let committed = try database.installedPlugin(userID: user.value, slug: slug)?.plugin.operationID
            let targetOwner = FileTree.exists(target) ? PluginMetadataFile.operationID(inFolder: target) : nil
            let old = staging + "/old"
            if let committed {
                if targetOwner != committed {
                    let oldOwner = FileTree.exists(old) ? PluginMetadataFile.operationID(inFolder: old) : nil
                    if oldOwner == committed {
                        if FileTree.exists(target) {
                            try FileTree.rename(target, staging + "/discard")
                        }
                        try FileTree.rename(old, target)
                        try FileTree.syncDirectory(directory.userFolder(user))
                        logger.notice("rolled back an interrupted operation", metadata: ["user_id": "\(user)", "plugin_slug": "\(slug)"])
                    }
                }
            } else if FileTree.exists(target), targetOwner.map({ staging.hasSuffix("/" + $0) }) ?? false {
                // Only a folder written by this very operation is ours to discard.
                try FileTree.rename(target, staging + "/discard")
                try FileTree.syncDirectory(directory.userFolder(user))
                logger.notice("removed the files of an uncommitted install", metadata: ["user_id": "\(user)", "plugin_slug": "\(slug)"])
            }
            try FileTree.removeTree(staging)
            removeEmptyUserFolder(user)
        } catch {
            logger.error("recovery failed; the next operation will retry", metadata: [
                "user_id": "\(user)", "plugin_slug": "\(slug)", "error": "\(error)"])
        }
    }

    func removeEmptyUserFolder(_ user: UserID) {
        let folder = directory.userFolder(user)
        if (try? FileTree.entries(folder))?.isEmpty == true { rmdir(folder) }
    }

    /// If a dead or expired owner holds the (user, plugin) lease, take it over (which rolls its
    /// change back) and give it back. Returns whether anything was recovered.
    func recoverIfAbandoned(user: UserID, slug: String) throws -> Bool {
        guard let lease = try database.lease(userID: user.value, slug: slug),
              lease.expiresAt <= Date().timeIntervalSince1970 || !ProcessIdentity.isAlive(lease.owner) else { return false }
        do {
            try run(user: user, slug: slug, kind: "recover") { operation in
                try database.releaseLease(operationID: operation.id)
            }
        } catch LifecycleError.operationInProgress {
            return false
        }
        return true
    }

    /// Start-up recovery (master, before workers): every lease whose owner is gone, and every
    /// staging folder without a live lease, is reconciled with the database.
    func recoverAll() throws {
        let now = Date().timeIntervalSince1970
        var live: Set<String> = []
        for lease in try database.allLeases() {
            if lease.expiresAt > now && ProcessIdentity.isAlive(lease.owner) {
                live.insert(lease.operationID)
                continue
            }
            if let user = try? UserID(lease.userID) {
                reconcile(user: user, slug: lease.pluginSlug, staging: directory.stagingFolder(lease.operationID))
            }
            _ = try database.removeLease(lease)
        }
        for name in (try? FileTree.entries(directory.stagingRoot)) ?? [] where !live.contains(name) {
            let staging = directory.stagingRoot + "/" + name
            if let data = FileManager.default.contents(atPath: staging + "/" + StagingRecord.fileName),
               let record = try? JSONDecoder().decode(StagingRecord.self, from: data),
               let user = try? UserID(record.userID) {
                reconcile(user: user, slug: record.pluginSlug, staging: staging)
            } else {
                // Died before it wrote its record: it moved nothing yet.
                try? FileTree.removeTree(staging)
            }
        }
    }
}
