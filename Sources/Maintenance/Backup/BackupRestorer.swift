import Foundation
import LifecycleCore
import LifecycleStore
import PluginCatalog
import Posix

/// Puts a backup made by ``BackupWriter`` back into a data directory.
///
/// Refuses a backup whose database has migrations this build does not know (GRDB would skip them
/// silently and the service would run on a schema it does not understand). Refuses a directory in
/// use (the pool's pid file names a live process, its socket accepts, a live operation holds a
/// lease, or another process has the database open), whatever `force` says; refuses one that holds
/// plugins, a catalog, or a different secret, unless `force`. Everything is first copied into a
/// hidden sibling folder inside the data directory (same file system) and checked against the
/// manifest. Then, with the directory checked unused once more, the current database is made one
/// self-contained file (WAL checkpointed into it, journal mode DELETE), the list of entries about
/// to move is written to `.restore-ID-previous/restore.json`, the current database, `plugins/`,
/// `staging/`, and the secret and catalog if the backup has them, are renamed into that folder and
/// the restored ones renamed in. The restored database is opened as the service opens it
/// (migrated when the backup is older) and `quick_check`ed; if that fails, the previous entries are
/// put back. On success the previous entries stay in `.restore-ID-previous/` until the operator
/// removes them (the report says how): deleting the only other copy of the data is not a restore's call.
package struct BackupRestorer: Sendable {
    package let source: String
    package let directory: DataDirectory
    package let force: Bool
    /// nil: the data directory's SQLite file. On PostgreSQL the rows go to the server, in one
    /// transaction after the folders' swap; the data directory gets no SQLite file.
    package let location: StoreLocation?

    /// Runs after the swap, before the restored database is opened: tests damage it there.
    var afterSwap: (@Sendable () throws -> Void)?

    package init(source: String, dataDirectory: String, force: Bool = false, location: StoreLocation? = nil) {
        self.source = DataDirectory(root: source).root
        directory = DataDirectory(root: dataDirectory)
        self.force = force
        if case .postgres = location { self.location = location } else { self.location = nil }
    }

    private var onPostgres: Bool { location != nil }

    /// The entries that go with the SQLite database; none on PostgreSQL (a SQLite file left in the
    /// data directory from before a `migrate-store` is not the store, and stays where it is).
    private var companions: [String] { onPostgres ? [] : Self.databaseCompanions }

    package func restore() throws(MaintenanceError) -> RestoreReport {
        let manifest = try verifiedManifest()
        try refuseUnknownMigrations(manifest)
        try refuseLiveUse()
        let occupied = occupants(manifest)
        guard occupied.isEmpty || force else { throw .notEmpty(occupied) }

        try OperatorFiles.makeFolder(directory.root, mode: 0o750)
        let id = UUID().uuidString.prefix(8).lowercased()
        let stage = directory.root + "/.restore-\(id)"
        let aside = directory.root + "/.restore-\(id)-previous"
        // The data directory may be a link (the operator's); nothing below it is followed.
        defer { try? FileTree.removeTree(stage, trusting: directory.root) }
        let staged = try stageBackup(manifest, in: stage)
        // The copy can take minutes: a pool started meanwhile must still stop the swap.
        try refuseLiveUse()
        try makeDatabaseSelfContained()
        let replaced = try swap(staged, from: stage, aside: aside)

        let applied: [String]
        do {
            try afterSwap?()
            applied = try openRestored(stage: stage)
        } catch where rowsLanded(stage: stage) {
            // The load's COMMIT went through although its answer was lost: the restored folders stay.
            applied = manifest.database.migrations
        } catch {
            let reason = (error as? MaintenanceError)?.description ?? String(describing: error)
            try putBack(staged, replaced: replaced, stage: stage, aside: aside, reason: reason)
            throw .restoredDataRejected(reason)
        }
        var previous: String?
        if replaced.isEmpty {
            try? FileTree.removeTree(aside, trusting: directory.root)
        } else {
            try RestoreRecord(state: .completed, source: source, entries: replaced).write(to: aside)
            previous = aside
        }
        let pending = applied.filter { !manifest.database.migrations.contains($0) }
        return RestoreReport(source: source, dataDirectory: directory.root, backupCreatedAt: manifest.createdAt,
                             users: manifest.counts.users, plugins: manifest.counts.plugins, folders: manifest.counts.folders,
                             restoredSecret: manifest.includesSecret, restoredCatalog: manifest.includesCatalog,
                             replaced: replaced, previousData: previous, migrationsApplied: pending)
    }

    /// On PostgreSQL, whether the server already holds the staged backup's rows exactly.
    private func rowsLanded(stage: String) -> Bool {
        guard let location, let database = try? LifecycleDatabase(location: location) else { return false }
        defer { database.close() }
        return database.holdsRows(ofBackupFile: stage + "/lifecycle.sqlite")
    }

    private func refuseLiveUse() throws(MaintenanceError) {
        let live = LiveUse.evidence(in: directory, location: location)
        guard live.isEmpty else { throw .liveDataDirectory(live) }
    }

    /// Refuses a backup whose database was migrated by a newer build: checked on the database file
    /// itself (read-only) and on the manifest's list, before anything is copied.
    func refuseUnknownMigrations(_ manifest: BackupManifest) throws(MaintenanceError) {
        let path = source + "/" + manifest.database.file
        let schema: SchemaState
        let applied: [String]
        do {
            let database = try LifecycleDatabase(path: path, readOnlyIfExists: true)
            schema = try database.schemaState()
            applied = try database.appliedMigrations()
            try database.closeConnections()
        } catch {
            throw .database("the backup's database does not open: \(error)")
        }
        let known = Set(schema.pending).union(applied).subtracting(schema.unknown)
        let unknown = Set(schema.unknown).union(manifest.database.migrations.filter { !known.contains($0) })
        guard unknown.isEmpty else { throw .unknownMigrations(unknown.sorted()) }
    }

    /// Folds the current database's WAL into its file and leaves rollback-journal mode, so that
    /// moving `lifecycle.sqlite` aside moves all of it: a rename of the file and then of its `-wal`
    /// could otherwise be cut between the two, parting committed changes from their database.
    /// Switching the journal mode needs every other connection closed: a busy database is in use.
    private func makeDatabaseSelfContained() throws(MaintenanceError) {
        guard !onPostgres, FileTree.kind(directory.databasePath) == .regular else { return }
        do {
            try LifecycleDatabase.makeSelfContained(path: directory.databasePath)
        } catch StoreError.busy {
            throw .liveDataDirectory(["another process has \(directory.databasePath) open (its WAL cannot be checkpointed)"])
        } catch {
            // A database too damaged to open is what --force replaces (occupants() required it):
            // it moves aside with its -wal and -shm as they are.
        }
    }

    /// Opens the restored database as `serve` does (folders with their modes, WAL mode,
    /// migrations), keeping SQLite's own message on a failure, and runs `quick_check`; returns the
    /// migrations it has.
    private func openRestored(stage: String) throws -> [String] {
        try directory.prepare()
        if let location {
            // The backup's file stayed in the stage: its rows replace the server's in one transaction.
            let database = try LifecycleDatabase(location: location)
            defer { database.close() }
            return try database.restoreRows(fromBackupFile: stage + "/lifecycle.sqlite")
        }
        let database = try LifecycleDatabase(path: directory.databasePath)
        defer { try? database.closeConnections() }
        try database.migrate()
        let applied = try database.appliedMigrations()
        let check = try database.quickCheck()
        guard check == ["ok"] else { throw MaintenanceError.database("quick_check: \(check.prefix(5).joined(separator: "; "))") }
        return applied
    }

    /// The manifest, once the backup's files agree with it.
    func verifiedManifest() throws(MaintenanceError) -> BackupManifest {
        let manifest = try BackupManifest.read(from: source)
        let database = source + "/" + manifest.database.file
        guard FileDigest.sha256(database)?.sha256 == manifest.database.sha256 else { throw .checksumMismatch(manifest.database.file) }
        let folders = BackupWriter.folderCount(source + "/plugins")
        guard folders == manifest.counts.folders else {
            throw .checksumMismatch("plugins/ (\(folders) plugin folders, the manifest says \(manifest.counts.folders))")
        }
        if manifest.includesSecret && FileTree.kind(source + "/jwt-secret") != .regular { throw .checksumMismatch("jwt-secret (missing)") }
        if manifest.includesCatalog && FileTree.kind(source + "/catalog") != .directory { throw .checksumMismatch("catalog/ (missing)") }
        return manifest
    }

    /// What a restore would overwrite: installed plugins in the database or folders under plugins/,
    /// and, when the backup has its own, a catalog with packages or a secret that differs.
    func occupants(_ manifest: BackupManifest) -> [String] {
        var found: [String] = []
        if let location {
            // A server nothing migrated yet holds no plugins (the count's table does not exist).
            let count = try? LifecycleDatabase(location: location).countIfMigrated()
            if let count, count > 0 {
                found.append("its PostgreSQL store has \(count) installed plugins")
            } else if count == nil {
                found.append("its PostgreSQL store cannot be read")
            }
        } else if FileTree.kind(directory.databasePath) == .regular {
            let count = try? LifecycleDatabase(path: directory.databasePath, readOnlyIfExists: true).pluginCount()
            if let count, count > 0 {
                found.append("its database has \(count) installed plugins")
            } else if count == nil {
                found.append("it has a database that cannot be read")
            }
        }
        let users = ((try? FileTree.entries(directory.pluginsRoot)) ?? []).filter { !$0.hasPrefix(".") }
        if !users.isEmpty { found.append("plugins/ holds \(users.count) user folders") }
        if manifest.includesCatalog {
            let packages = ((try? FileTree.entries(directory.defaultCatalogRoot)) ?? []).filter { !$0.hasPrefix(".") }
            if !packages.isEmpty { found.append("catalog/ holds \(packages.count) entries") }
        }
        if manifest.includesSecret, FileTree.kind(directory.defaultSecretPath) != .missing,
           FileDigest.sha256(directory.defaultSecretPath)?.sha256 != FileDigest.sha256(source + "/jwt-secret")?.sha256 {
            found.append("its jwt-secret differs from the backup's (tokens signed with it would stop verifying)")
        }
        return found
    }

    /// Copies the backup into `stage`; returns the entry names to move into the data directory.
    private func stageBackup(_ manifest: BackupManifest, in stage: String) throws(MaintenanceError) -> [String] {
        try OperatorFiles.makeFolder(stage, mode: 0o700)
        let copied = try TreeCopy.copyFile(source + "/" + manifest.database.file, stage + "/lifecycle.sqlite", mode: 0o640)
        // The digest is of the bytes written: the staged copy itself is what the manifest describes.
        guard copied.sha256 == manifest.database.sha256 else { throw .checksumMismatch("lifecycle.sqlite (copy)") }
        var names = (onPostgres ? [] : ["lifecycle.sqlite"]) + ["plugins", "staging"]
        _ = try TreeCopy().copy(source + "/plugins", to: stage + "/plugins")
        try OperatorFiles.makeFolder(stage + "/staging", mode: 0o700)
        if manifest.includesCatalog {
            _ = try TreeCopy(skipsHiddenNames: true).copy(source + "/catalog", to: stage + "/catalog")
            names.append("catalog")
        }
        if manifest.includesSecret {
            try TreeCopy.copyFile(source + "/jwt-secret", stage + "/jwt-secret", mode: 0o600)
            names.append("jwt-secret")
        }
        do throws(SystemCallError) { try FileTree.syncDirectory(stage) } catch { throw MaintenanceError(error) }
        return names
    }

    /// The database's companions: moved with it, and never left beside a database they do not belong to.
    static let databaseCompanions = ["lifecycle.sqlite-wal", "lifecycle.sqlite-shm", "lifecycle.sqlite-journal"]

    /// Moves the current entries aside and the staged ones in; on a failure, puts the previous ones
    /// back. The list of what moves is written into `aside` first, so an interrupted swap can be undone by hand.
    private func swap(_ names: [String], from stage: String, aside: String) throws(MaintenanceError) -> [String] {
        try OperatorFiles.makeFolder(aside, mode: 0o700)
        let present = (names + companions).filter { FileTree.kind(directory.root + "/" + $0) != .missing }
        try RestoreRecord(state: .swapping, source: source, entries: present).write(to: aside)
        var movedAside: [String] = []
        var movedIn: [String] = []
        do throws(SystemCallError) {
            for name in present {
                try FileTree.rename(directory.root + "/" + name, aside + "/" + name, trusting: directory.root)
                movedAside.append(name)
            }
            for name in names {
                try FileTree.rename(stage + "/" + name, directory.root + "/" + name, trusting: directory.root)
                movedIn.append(name)
            }
            try FileTree.syncDirectory(directory.root)
        } catch {
            for name in movedIn { try? FileTree.rename(directory.root + "/" + name, stage + "/" + name, trusting: directory.root) }
            for name in movedAside { try? FileTree.rename(aside + "/" + name, directory.root + "/" + name, trusting: directory.root) }
            if movedAside.allSatisfy({ FileTree.kind(aside + "/" + $0) == .missing }) { try? FileTree.removeTree(aside, trusting: directory.root) }
            throw MaintenanceError(error)
        }
        return movedAside
    }

    /// Undoes a swap whose restored data failed its checks: the restored entries (and whatever
    /// SQLite made beside the restored database) go back to `stage`, the previous ones come back.
    private func putBack(_ names: [String], replaced: [String], stage: String, aside: String, reason: String) throws(MaintenanceError) {
        do {
            for name in names + companions where FileTree.kind(directory.root + "/" + name) != .missing {
                try FileTree.removeTree(stage + "/" + name)
                try FileTree.rename(directory.root + "/" + name, stage + "/" + name, trusting: directory.root)
            }
            for name in replaced { try FileTree.rename(aside + "/" + name, directory.root + "/" + name, trusting: directory.root) }
            try FileTree.syncDirectory(directory.root)
            if replaced.contains("lifecycle.sqlite") {
                // Back to WAL, as it was before makeDatabaseSelfContained() (the service's pool opens it so).
                try LifecycleDatabase(path: directory.databasePath).closeConnections()
            }
        } catch {
            throw .restoredDataRejected("\(reason); putting the previous data back failed too (\(error)): it is in \(aside), see restore.json there")
        }
        try? FileTree.removeTree(aside, trusting: directory.root)
    }
}
