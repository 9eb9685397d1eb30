import Foundation
import LifecycleCore
import PluginCatalog

/// Makes a backup of a live data directory: the database (SQLite's online backup API), every
/// installed plugin's folder, and the secret and catalog when they live in the data directory.
///
/// Consistency: the folders must be the ones the database snapshot describes, while installs,
/// updates and uninstalls keep committing. Each plugin of the snapshot is copied while holding its
/// (user, plugin) operation lease, the lock every operation takes, and only if the row's operation
/// id is still the snapshot's: then no operation can be moving the folder, and the folder is the
/// one that operation committed (operation ids are never reused). A plugin that changed since the
/// snapshot is left for the next round, which takes a fresh snapshot and copies only what differs.
/// Writers are held up for one plugin's copy at a time, never for the whole backup.
///
/// ```swift
/// let manifest = try BackupWriter(service: service).write(to: "/backups/2026-11-26")
/// ```
public struct BackupWriter: Sendable {
    public let service: LifecycleService
    /// How long to wait for a plugin whose lease a live operation holds.
    public var leaseTimeout: Double = 30
    /// Snapshot-and-copy rounds before giving up on a data directory that never settles.
    public var maxRounds = 8

    public init(service: LifecycleService) { self.service = service }

    private struct CopiedPlugin {
        var operationID: String
        var files: Int
        var bytes: Int64
        var damaged: Bool
        var skipped: [String]
    }

    public func write(to rawDestination: String) throws(MaintenanceError) -> BackupManifest {
        let destination = DataDirectory(root: rawDestination).root
        let directory = service.directory
        guard Disk.kind(directory.databasePath) == .file else { throw .nothingToBackUp("no database at \(directory.databasePath)") }
        if destination == directory.root || destination.hasPrefix(directory.root + "/") {
            throw .destinationInsideDataDirectory(destination)
        }
        guard Disk.isEmptyOrMissing(destination) else { throw .destinationNotEmpty(destination) }
        try Disk.makeDirectory(destination, mode: 0o750)
        try Disk.makeDirectory(destination + "/plugins", mode: 0o755)

        let databaseCopy = destination + "/lifecycle.sqlite"
        var copied: [String: CopiedPlugin] = [:]
        var snapshot: DatabaseSnapshot?
        var rounds = 0
        while snapshot == nil {
            rounds += 1
            guard rounds <= maxRounds else { throw .tooMuchActivity(rounds: maxRounds) }
            let current = try DatabaseSnapshot.take(from: service.database, into: databaseCopy)
            var changed = false
            for plugin in current.plugins where copied[plugin.key]?.operationID != plugin.operationID {
                if let copy = try copy(plugin, into: destination) {
                    copied[plugin.key] = copy
                } else {
                    copied[plugin.key] = nil
                    changed = true
                }
            }
            if !changed { snapshot = current }
        }
        guard let snapshot else { throw .tooMuchActivity(rounds: rounds) }
        // Folders copied in an earlier round for plugins uninstalled since.
        try removeFolders(notIn: Set(snapshot.plugins.map(\.key)), under: destination + "/plugins")

        let includesSecret = Disk.kind(directory.defaultSecretPath) == .file
        if includesSecret {
            try Disk.copyFile(directory.defaultSecretPath, destination + "/jwt-secret", mode: 0o600)
        }
        let catalogRoot = DataDirectory(root: service.catalog.root.path).root
        let includesCatalog = catalogRoot == directory.defaultCatalogRoot && Disk.kind(catalogRoot) == .directory
        if includesCatalog {
            // Hidden names are a publisher's staging folders: never part of the catalog.
            _ = try TreeCopy(skipsHiddenNames: true).copy(catalogRoot, to: destination + "/catalog")
        }
        try Disk.syncDirectory(destination)

        let kept = snapshot.plugins.compactMap { copied[$0.key] }
        guard let digest = Disk.sha256(databaseCopy), let size = Disk.size(databaseCopy) else {
            throw Disk.failure("read", databaseCopy)
        }
        let manifest = BackupManifest(
            format: BackupManifest.format, formatVersion: BackupManifest.currentFormatVersion,
            createdAt: ISO8601DateFormatter().string(from: Date()), sourceDataDirectory: directory.root,
            database: .init(file: "lifecycle.sqlite", size: size, sha256: digest, migrations: snapshot.migrations),
            counts: .init(users: Set(snapshot.plugins.map(\.userID)).count, plugins: snapshot.plugins.count,
                          folders: Self.folderCount(destination + "/plugins"),
                          files: kept.reduce(0) { $0 + $1.files }, bytes: kept.reduce(0) { $0 + $1.bytes }),
            includesSecret: includesSecret, includesCatalog: includesCatalog, rounds: rounds,
            damagedAtBackup: snapshot.plugins.filter { copied[$0.key]?.damaged == true }.map(\.key),
            skipped: snapshot.plugins.flatMap { plugin in (copied[plugin.key]?.skipped ?? []).map { plugin.key + "/" + $0 } })
        try manifest.write(to: destination)
        return manifest
    }

    /// Copies one plugin's folder under its lease; nil when it changed since the snapshot.
    private func copy(_ plugin: DatabaseSnapshot.Plugin, into destination: String) throws(MaintenanceError) -> CopiedPlugin? {
        guard let user = try? UserID(plugin.userID), let slug = try? PluginSlug(plugin.slug) else {
            // The service never writes such a row; the database copy keeps it, there is no folder to take.
            return CopiedPlugin(operationID: plugin.operationID, files: 0, bytes: 0, damaged: true, skipped: [])
        }
        let source = service.directory.installedFolder(user: user, slug: slug)
        let userFolder = destination + "/plugins/" + user.value
        let target = userFolder + "/" + slug.value
        do {
            return try service.holdingLease(user: user, slug: slug, timeout: leaseTimeout) { committed throws(MaintenanceError) -> CopiedPlugin? in
                guard committed == plugin.operationID else { return nil }
                try Disk.removeTree(target)
                guard Disk.kind(source) == .directory else {
                    // Installed, but the folder is gone: the backup keeps that state (doctor and repair see it).
                    return CopiedPlugin(operationID: plugin.operationID, files: 0, bytes: 0, damaged: true, skipped: [])
                }
                try Disk.makeDirectory(userFolder, mode: 0o755)
                let result = try TreeCopy().copy(source, to: target)
                try Disk.syncDirectory(userFolder)
                let damaged = plugin.files.contains { path, expected in
                    guard let found = result.files[path] else { return true }
                    return found.size != expected.size || found.sha256 != expected.sha256
                }
                return CopiedPlugin(operationID: plugin.operationID, files: result.files.count, bytes: result.bytes,
                                    damaged: damaged, skipped: result.skipped)
            }
        } catch let error as MaintenanceError {
            throw error
        } catch LifecycleError.operationInProgress {
            throw .pluginBusy(user: user.value, slug: slug.value)
        } catch let error as LifecycleError {
            throw .lifecycle(error.description)
        } catch {
            throw .lifecycle(String(describing: error))
        }
    }

    private func removeFolders(notIn keys: Set<String>, under root: String) throws(MaintenanceError) {
        for user in try Disk.entries(root) {
            for slug in try Disk.entries(root + "/" + user) where !keys.contains(user + "/" + slug) {
                try Disk.removeTree(root + "/" + user + "/" + slug)
            }
            if try Disk.entries(root + "/" + user).isEmpty { try Disk.removeTree(root + "/" + user) }
        }
    }

    static func folderCount(_ root: String) -> Int {
        ((try? Disk.entries(root)) ?? []).reduce(0) { $0 + ((try? Disk.entries(root + "/" + $1)) ?? []).count }
    }
}
