import Foundation
import GRDB
import LifecycleCore
import LifecycleStore
import Logging

/// Puts a backup made by ``BackupWriter`` back into a data directory.
///
/// Refuses a directory in use (the pool's pid file names a live process, its socket accepts, or
/// a live operation holds a lease), whatever `force` says; refuses one that holds plugins unless
/// `force`. Everything is first copied into a hidden sibling folder inside the data directory
/// (same file system) and checked against the manifest; only then are the current database
/// (with its `-wal` and `-shm`: a stale WAL beside a restored file would be replayed into it),
/// `plugins/`, `staging/`, and the secret and catalog if the backup has them, renamed aside and
/// the restored ones renamed in. The database is then opened as the service opens it (migrated
/// when the backup is older). Interrupted during the renames, the previous entries are still in
/// `.restore-*-previous/`.
public struct BackupRestorer: Sendable {
    public let source: String
    public let directory: DataDirectory
    public let force: Bool

    public init(source: String, dataDirectory: String, force: Bool = false) {
        self.source = DataDirectory(root: source).root
        directory = DataDirectory(root: dataDirectory)
        self.force = force
    }

    public func restore(logger: Logger = Logger(label: "restore") { _ in SwiftLogNoOpLogHandler() }) throws(MaintenanceError) -> RestoreReport {
        let manifest = try verifiedManifest()
        let live = LiveUse.evidence(in: directory)
        guard live.isEmpty else { throw .liveDataDirectory(live) }
        let occupied = occupants()
        guard occupied.isEmpty || force else { throw .notEmpty(occupied) }

        try Disk.makeDirectory(directory.root, mode: 0o750)
        let id = UUID().uuidString.prefix(8).lowercased()
        let stage = directory.root + "/.restore-\(id)"
        let aside = directory.root + "/.restore-\(id)-previous"
        defer { try? Disk.removeTree(stage) }
        let staged = try stageBackup(manifest, in: stage)
        let replaced = try swap(staged, from: stage, aside: aside)
        try? Disk.removeTree(aside)

        let applied: [String]
        do {
            // Opening the service as `serve` does: WAL mode, migrations, folders with their modes.
            let service = try LifecycleService(dataDirectory: directory.root, logger: logger)
            applied = try service.database.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
        } catch {
            throw .lifecycle("the restored database does not open: \(error)")
        }
        let pending = applied.filter { !manifest.database.migrations.contains($0) }
        return RestoreReport(source: source, dataDirectory: directory.root, backupCreatedAt: manifest.createdAt,
                             users: manifest.counts.users, plugins: manifest.counts.plugins, folders: manifest.counts.folders,
                             restoredSecret: manifest.includesSecret, restoredCatalog: manifest.includesCatalog,
                             replaced: replaced, migrationsApplied: pending)
    }

    /// The manifest, once the backup's files agree with it.
    func verifiedManifest() throws(MaintenanceError) -> BackupManifest {
        let manifest = try BackupManifest.read(from: source)
        let database = source + "/" + manifest.database.file
        guard Disk.sha256(database) == manifest.database.sha256 else { throw .checksumMismatch(manifest.database.file) }
        let folders = BackupWriter.folderCount(source + "/plugins")
        guard folders == manifest.counts.folders else {
            throw .checksumMismatch("plugins/ (\(folders) plugin folders, the manifest says \(manifest.counts.folders))")
        }
        if manifest.includesSecret && Disk.kind(source + "/jwt-secret") != .file { throw .checksumMismatch("jwt-secret (missing)") }
        if manifest.includesCatalog && Disk.kind(source + "/catalog") != .directory { throw .checksumMismatch("catalog/ (missing)") }
        return manifest
    }

    /// What a restore would overwrite: installed plugins in the database or folders under plugins/.
    func occupants() -> [String] {
        var found: [String] = []
        if Disk.kind(directory.databasePath) == .file {
            let count = try? LifecycleDatabase(path: directory.databasePath, readOnlyIfExists: true)
                .read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM plugin") ?? 0 }
            if let count, count > 0 {
                found.append("its database has \(count) installed plugins")
            } else if count == nil {
                found.append("it has a database that cannot be read")
            }
        }
        let users = ((try? Disk.entries(directory.pluginsRoot)) ?? []).filter { !$0.hasPrefix(".") }
        if !users.isEmpty { found.append("plugins/ holds \(users.count) user folders") }
        return found
    }

    /// Copies the backup into `stage`; returns the entry names to move into the data directory.
    private func stageBackup(_ manifest: BackupManifest, in stage: String) throws(MaintenanceError) -> [String] {
        try Disk.makeDirectory(stage, mode: 0o700)
        let copied = try Disk.copyFile(source + "/" + manifest.database.file, stage + "/lifecycle.sqlite", mode: 0o640)
        // The digest is of the bytes written: the staged copy itself is what the manifest describes.
        guard copied.sha256 == manifest.database.sha256 else { throw .checksumMismatch("lifecycle.sqlite (copy)") }
        var names = ["lifecycle.sqlite", "plugins", "staging"]
        _ = try TreeCopy().copy(source + "/plugins", to: stage + "/plugins")
        try Disk.makeDirectory(stage + "/staging", mode: 0o700)
        if manifest.includesCatalog {
            _ = try TreeCopy(skipsHiddenNames: true).copy(source + "/catalog", to: stage + "/catalog")
            names.append("catalog")
        }
        if manifest.includesSecret {
            try Disk.copyFile(source + "/jwt-secret", stage + "/jwt-secret", mode: 0o600)
            names.append("jwt-secret")
        }
        try Disk.syncDirectory(stage)
        return names
    }

    /// Moves the current entries aside and the staged ones in; on a failure, puts the previous ones back.
    private func swap(_ names: [String], from stage: String, aside: String) throws(MaintenanceError) -> [String] {
        try Disk.makeDirectory(aside, mode: 0o700)
        let database = ["lifecycle.sqlite-wal", "lifecycle.sqlite-shm", "lifecycle.sqlite-journal"]
        var movedAside: [String] = []
        var movedIn: [String] = []
        do {
            for name in names + database where Disk.kind(directory.root + "/" + name) != .missing {
                try Disk.rename(directory.root + "/" + name, aside + "/" + name)
                movedAside.append(name)
            }
            for name in names {
                try Disk.rename(stage + "/" + name, directory.root + "/" + name)
                movedIn.append(name)
            }
            try Disk.syncDirectory(directory.root)
        } catch {
            for name in movedIn { try? Disk.rename(directory.root + "/" + name, stage + "/" + name) }
            for name in movedAside { try? Disk.rename(aside + "/" + name, directory.root + "/" + name) }
            throw error
        }
        return movedAside
    }
}
