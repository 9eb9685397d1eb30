import Foundation
import LifecycleStore
import Logging
import Posix

/// Rolling back what interrupted operations left, through the lease whenever another process may run.
extension OperationRunner {
    /// Makes the user's folder match the database for one operation that did not finish normally,
    /// then removes its staging folder `staging`. Whether the operation committed is read from the
    /// database (its row carries the id of the operation that wrote it; an uninstall committed when
    /// the row is gone), never from files the operation may have lost. A folder it had taken over
    /// (`taken`, nested when takers died in turn) is reconciled first, oldest first. Idempotent, so a
    /// crash during recovery is recovered by the next one. Call only while holding the (user, plugin)
    /// lease, or before any worker runs.
    func reconcile(user: UserID, slug: String, operationID: String, kind: String?, staging: String) throws {
        let taken = staging + "/" + Self.takenName
        if FileTree.exists(taken) {
            let record = StagingRecord.read(taken)
            try reconcile(user: user, slug: slug, operationID: record?.operationID ?? "", kind: record?.operation, staging: taken)
        }
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
            } else if !operationID.isEmpty, FileTree.exists(target), PluginMetadataFile.operationID(inFolder: target) == operationID {
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
    /// The record goes only after the folder is renamed to `<name>.removing`, which any sweep may delete.
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

    func removeEmptyUserFolder(_ user: UserID) {
        let folder = directory.userFolder(user)
        if (try? FileTree.entries(folder))?.isEmpty == true { rmdir(folder) }
    }

    /// If a dead or expired owner holds the (user, plugin) lease (`lease`, as the caller has just
    /// read it), or a staging folder of it has none, take the lease (which rolls the change back)
    /// and give it back. Returns whether anything was recovered.
    func recoverIfAbandoned(user: UserID, slug: String, lease: OperationLease?) throws -> Bool {
        if let lease {
            guard !leases.isLive(lease) else { return false }
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

    /// Staging folders (name and record) whose record names this (user, plugin) and whose operation
    /// holds no lease. Another host's folder only once it is older than twice the lease ttl: that
    /// host may be between making it and writing its lease. The staging root is empty unless
    /// operations are in flight.
    func orphanedStaging(user: UserID, slug: String) -> [(name: String, record: StagingRecord)] {
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
        let found = names.compactMap { name -> (name: String, record: StagingRecord)? in
            let folder = directory.stagingRoot + "/" + name
            guard let record = StagingRecord.read(folder), record.userID == user.value, record.pluginSlug == slug,
                  record.isNamed(name), isOurs(record) || isOldEnough(folder + "/" + StagingRecord.fileName) else { return nil }
            return (name, record)
        }
        if found.isEmpty { return [] }
        let current = (try? database.lease(userID: user.value, slug: slug))?.operationID
        return found.filter { $0.record.operationID != current }
    }

    /// This host's folder (or one from before hosts had ids, which were all this machine's).
    func isOurs(_ record: StagingRecord) -> Bool {
        record.host.map { $0.isEmpty || $0 == leases.host } ?? true
    }

    /// Whether `path` (a staging record, or a folder without one) was last written more than twice
    /// the lease ttl ago.
    func isOldEnough(_ path: String) -> Bool {
        let written = FileTree.status(path).modified
        return Date().timeIntervalSince1970 - Double(written.tv_sec) > 2 * leases.ttl
    }

    /// Recovers every (user, plugin) whose lease is no longer live; returns their `user/slug` keys.
    @discardableResult
    func recoverAbandonedLeases() throws -> Set<String> {
        var done: Set<String> = []
        for lease in try database.allLeases() where !leases.isLive(lease) {
            guard let user = try? UserID(lease.userID) else { continue }
            _ = try recoverIfAbandoned(user: user, slug: lease.pluginSlug, lease: lease)
            done.insert(lease.userID + "/" + lease.pluginSlug)
        }
        return done
    }

    /// Start-up recovery (master, before its workers): every (user, plugin) whose lease is no longer
    /// live, or that has a staging folder no lease names, is recovered through its lease, as a
    /// request would: other hosts may be running operations meanwhile.
    func recoverAll() throws {
        var done = try recoverAbandonedLeases()
        let named = Set(try database.allLeases().flatMap { [$0.operationID, "\($0.ownerHost)~\($0.operationID)"] })
        for name in (try? FileTree.entries(directory.stagingRoot)) ?? [] where !name.hasSuffix(Self.removingSuffix) {
            let staging = directory.stagingRoot + "/" + name
            if let record = StagingRecord.read(staging), let user = try? UserID(record.userID) {
                guard done.insert(record.userID + "/" + record.pluginSlug).inserted else { continue }
                _ = try recoverIfAbandoned(user: user, slug: record.pluginSlug,
                                           lease: try database.lease(userID: record.userID, slug: record.pluginSlug))
            } else if !named.contains(name),
                      isOldEnough(staging) || (leases.namesStaging ? name.hasPrefix(leases.host + "~") : !name.contains("~")) {
                // No record and no lease: its owner died before writing either, so it moved nothing.
                try? FileTree.removeTree(staging)
            }
        }
    }
}
