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

    static func read(_ staging: String) -> StagingRecord? {
        guard let data = FileManager.default.contents(atPath: staging + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(StagingRecord.self, from: data)
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

    init(database: LifecycleDatabase, directory: DataDirectory, logger: Logger, leaseSeconds: Double = 600) {
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
            do {
                try reconcile(user: user, slug: slug, operationID: stale.operationID, kind: stale.operation)
            } catch {
                // Its staging folder stays for the master's start-up sweep; this caller may retry.
                logger.error("recovery of a stale operation failed", metadata: [
                    "operation_id": "\(stale.operationID)", "error": "\(error)"])
                try? database.releaseLease(operationID: id)
                throw LifecycleError.operationInProgress(slug: slug, operation: stale.operation)
            }
        }
        // Holding the lease: staging folders of this (user, plugin) that no lease names are finished or
        // dead operations (killed after their commit, or a takeover killed mid-recovery). Only the
        // master's start-up sweep found them before; reconcile them now (never fatal: retried next time).
        for record in orphanedStaging(user: user, slug: slug) where record.operationID != id {
            do { try reconcile(user: user, slug: slug, operationID: record.operationID, kind: record.operation) } catch {
                logger.warning("could not reconcile a leftover staging folder", metadata: [
                    "operation_id": "\(record.operationID)", "error": "\(error)"])
            }
        }
        do {
            try FileTree.makeDirectories(operation.staging, mode: 0o700, linkedFolders: .followed)
            let record = StagingRecord(operationID: id, userID: user.value, pluginSlug: slug, operation: kind)
            try FileTree.writeFile(operation.staging + "/" + StagingRecord.fileName, Array(try JSONEncoder().encode(record)))
            let result = try body(operation)
            // Committed: what is left in staging is the previous copy or nothing.
            do { try removeStaging(operation.staging) } catch {
                logger.warning("could not remove a staging folder", metadata: ["operation_id": "\(id)", "error": "\(error)"])
            }
            return result
        } catch {
            do {
                try reconcile(user: user, slug: slug, operationID: id, kind: kind)
                try database.releaseLease(operationID: id)
            } catch let failure {
                // Keep the lease but let the next caller take it over at once and retry the rollback.
                logger.error("rollback failed; the next operation retries it", metadata: [
                    "operation_id": "\(id)", "error": "\(failure)"])
                try? database.renewLease(operationID: id, expiresAt: 0)
            }
            throw error
        }
    }

    /// Makes the user's folder match the database for one operation that did not finish normally,
    /// then removes its staging folder. Whether the operation committed is read from the database
    /// (its row carries the id of the operation that wrote it; an uninstall committed when the row is
    /// gone), never from files the operation may have lost. Idempotent, so a crash during recovery
    /// is recovered by the next one. Call only while holding the (user, plugin) lease, or before
    /// any worker runs.
    func reconcile(user: UserID, slug: String, operationID: String, kind: String?) throws {
        let staging = directory.stagingFolder(operationID)
        let target = directory.pluginFolder(user, slug)
        let row = try database.installedPlugin(userID: user.value, slug: slug)?.plugin
        let kind = kind ?? StagingRecord.read(staging)?.operation
        let committed = (kind == "uninstall" || kind == "purge") ? row == nil : row?.operationID == operationID
        // A staging folder found without its lease may be that of an operation that committed and was
        // followed by others (its process died before removing the folder): the row then names a later
        // operation, yet the disk already holds that operation's copy. Never undo a state in which the
        // database and the disk agree.
        let targetOperation = FileTree.exists(target) ? PluginMetadataFile.operationID(inFolder: target) : nil
        let diskMatchesDatabase = row.map { targetOperation == $0.operationID } ?? !FileTree.exists(target)
        if !committed && !diskMatchesDatabase {
            let old = staging + "/old"
            let discard = staging + "/discard"
            if FileTree.exists(old) {
                // The previous copy was moved aside: whatever is at the target now is the new one.
                try FileTree.removeTree(discard)
                if FileTree.exists(target) { try FileTree.rename(target, discard) }
                try FileTree.rename(old, target)
                try FileTree.syncDirectory(directory.userFolder(user))
                logger.notice("rolled back an interrupted operation", metadata: [
                    "user_id": "\(user)", "plugin_slug": "\(slug)", "operation": "\(kind ?? "?")"])
            } else if FileTree.exists(target), PluginMetadataFile.operationID(inFolder: target) == operationID {
                // Only a folder written by this very operation is ours to discard.
                try FileTree.removeTree(discard)
                try FileTree.rename(target, discard)
                try FileTree.syncDirectory(directory.userFolder(user))
                logger.notice("removed the files of an uncommitted install", metadata: ["user_id": "\(user)", "plugin_slug": "\(slug)"])
            }
        }
        try removeStaging(staging)
        removeEmptyUserFolder(user)
    }

    /// Removes a staging folder with its record last: a process killed half-way leaves a folder that
    /// still says whose it is, so the next holder of the lease can find and finish it.
    /// The record goes only after the folder is renamed to `<id>.removing`, which any sweep may delete.
    func removeStaging(_ staging: String) throws {
        for name in (try? FileTree.entries(staging)) ?? [] where name != StagingRecord.fileName {
            try FileTree.removeTree(staging + "/" + name)
        }
        let doomed = staging + Self.removingSuffix
        do { try FileTree.rename(staging, doomed) } catch {
            if error.code == ENOENT { return }
            throw error
        }
        // Another process's sweep may be deleting the same folder: its ENOENTs are not failures.
        for _ in 0..<3 {
            do { try FileTree.removeTree(doomed); return } catch {
                guard error.code == ENOENT else { throw error }
                if !FileTree.exists(doomed) { return }
            }
        }
        try FileTree.removeTree(doomed)
    }

    static let removingSuffix = ".removing"

    func removeEmptyUserFolder(_ user: UserID) {
        let folder = directory.userFolder(user)
        if (try? FileTree.entries(folder))?.isEmpty == true { rmdir(folder) }
    }

    /// If a dead or expired owner holds the (user, plugin) lease (`lease`, as the caller has just
    /// read it), take it over (which rolls its change back) and give it back. Returns whether
    /// anything was recovered.
    func recoverIfAbandoned(user: UserID, slug: String, lease: OperationLease?) throws -> Bool {
        if let lease {
            guard lease.expiresAt <= Date().timeIntervalSince1970 || !ProcessIdentity.isAlive(lease.owner) else { return false }
        } else if orphanedStaging(user: user, slug: slug).isEmpty {
            return false
        }
        do {
            try run(user: user, slug: slug, kind: "recover") { operation in
                try database.releaseLease(operationID: operation.id)
            }
        } catch LifecycleError.operationInProgress {
            return false
        }
        return true
    }

    /// Staging folders whose record names this (user, plugin) and whose operation holds no lease.
    /// The staging root is empty unless operations are in flight.
    func orphanedStaging(user: UserID, slug: String) -> [StagingRecord] {
        // Every staging entry is a folder: a staging root whose link count says it has no
        // subfolders is empty, and one lstat replaces a listing (4 syscalls) on every status.
        // Filesystems that do not count subfolders (nlink 1) are listed.
        let root = FileTree.status(directory.stagingRoot)
        if root.kind == .directory, root.links == 2 { return [] }
        var names = (try? FileTree.entries(directory.stagingRoot)) ?? []
        if names.isEmpty { return [] }
        // Half-removed folders of finished operations: garbage by construction, whoever left them.
        for name in names where name.hasSuffix(Self.removingSuffix) {
            try? FileTree.removeTree(directory.stagingRoot + "/" + name)
        }
        names.removeAll { $0.hasSuffix(Self.removingSuffix) }
        let records = names.compactMap { name in
            StagingRecord.read(directory.stagingRoot + "/" + name).flatMap {
                $0.userID == user.value && $0.pluginSlug == slug && $0.operationID == name ? $0 : nil
            }
        }
        if records.isEmpty { return [] }
        let current = (try? database.lease(userID: user.value, slug: slug))?.operationID
        return records.filter { $0.operationID != current }
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
                try reconcile(user: user, slug: lease.pluginSlug, operationID: lease.operationID, kind: lease.operation)
            }
            _ = try database.removeLease(lease)
        }
        for name in (try? FileTree.entries(directory.stagingRoot)) ?? [] where !live.contains(name) {
            let staging = directory.stagingRoot + "/" + name
            if let record = StagingRecord.read(staging), let user = try? UserID(record.userID) {
                try reconcile(user: user, slug: record.pluginSlug, operationID: record.operationID, kind: record.operation)
            } else {
                // Died before it wrote its record: it moved nothing yet.
                try? FileTree.removeTree(staging)
            }
        }
    }
}
