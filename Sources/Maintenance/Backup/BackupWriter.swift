import Foundation
import LifecycleCore
import LifecycleStore
import Logging
import PluginCatalog
import Posix

/// Makes a backup of a live data directory: the database (SQLite's online backup API; on PostgreSQL
/// one snapshot exported into a SQLite file of the same format), every
/// installed plugin's folder, and the secret and catalog when they live in the data directory.
///
/// Consistency: the folders must be the ones the database copy describes, while installs,
/// updates and uninstalls keep committing. The database is copied first, in one read transaction
/// (time T). Then, user by user, the backup takes the operation leases of all the user's plugins,
/// the lock every operation takes, so nothing moves those folders or commits their rows while it
/// looks. If every plugin's operation id is still the one of T, the folders on disk are the ones
/// T describes (operation ids are never reused) and are copied. If not, that user is taken as of
/// now instead: their rows are read again and replace theirs in the copy, and the folders copied
/// with them, all under the same leases. Either way each user's rows and folders are one
/// committed state, and a plugin is never in the backup without the dependencies it was installed
/// with. Writers wait at most for one user's copy; an operation that meets a held lease is refused
/// as `operation_in_progress` (409) and can be retried.
///
/// ```swift
/// let manifest = try BackupWriter(service: service).write(to: "/backups/2026-11-26")
/// ```
package struct BackupWriter: Sendable {
    package let service: LifecycleService
    /// How long to wait for a plugin whose lease a live operation holds.
    package var leaseTimeout: Double = 30

    /// Runs between the database copy and the folders: tests change plugins there, as a writer
    /// could (the CLI's hidden `--pause-after-snapshot` waits there for its tests).
    package var afterSnapshot: (@Sendable () throws -> Void)?
    /// Runs while a user's leases are held, after their folders are copied: tests take a lease away there.
    var whileHoldingLeases: (@Sendable (String) throws -> Void)?
    /// How many times a user is copied again after a lease expired under the copy.
    static let attemptsPerUser = 10

    package init(service: LifecycleService) { self.service = service }

    /// Opens a data directory for a backup without changing it: no folders created, no migration
    /// (the service's own opening migrates). A database behind or ahead of this build's schema is
    /// refused: the backup would record a schema the build serving it does not have.
    /// `location`: the store, when it is not the data directory's SQLite file (PostgreSQL).
    package static func openService(dataDirectory: String, catalogRoot: String?, logger: Logger,
                                    location: StoreLocation? = nil) throws(MaintenanceError) -> LifecycleService {
        let directory = DataDirectory(root: dataDirectory)
        let location = location ?? .sqlite(path: directory.databasePath)
        if case .sqlite = location, FileTree.kind(directory.databasePath) != .regular {
            throw .nothingToBackUp("no database at \(directory.databasePath)")
        }
        let database: LifecycleDatabase
        let schema: SchemaState
        do {
            database = try LifecycleDatabase(location: location)
            schema = try database.schemaState()
        } catch {
            throw .database(String(describing: error))
        }
        guard schema.isCurrent else { throw .schemaNotCurrent(pending: schema.pending, unknown: schema.unknown) }
        let catalog = CatalogSource(root: URL(fileURLWithPath: catalogRoot.map { DataDirectory(root: $0).root } ?? directory.defaultCatalogRoot))
        return LifecycleService(directory: directory, database: database, catalog: catalog, logger: logger)
    }

    struct CopiedPlugin {
        var files: Int
        var bytes: Int64
        var damaged: Bool
        var skipped: [String]
    }

    package func write(to rawDestination: String) throws(MaintenanceError) -> BackupManifest {
        let destination = DataDirectory(root: rawDestination).root
        let directory = service.directory
        if !service.database.onPostgres, FileTree.kind(directory.databasePath) != .regular {
            throw .nothingToBackUp("no database at \(directory.databasePath)")
        }
        // Compared with links resolved: a link to (or into) the data directory is inside it.
        let (realDestination, realRoot) = (FileTree.resolved(destination), FileTree.resolved(directory.root))
        if realDestination == realRoot || realDestination.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") {
            throw .destinationInsideDataDirectory(destination)
        }
        guard Self.isEmptyOrMissing(destination) else { throw .destinationNotEmpty(destination) }
        try OperatorFiles.makeFolder(destination, mode: 0o750)
        try OperatorFiles.makeFolder(destination + "/plugins", mode: 0o755)

        let databaseCopy = destination + "/lifecycle.sqlite"
        let snapshot = try DatabaseSnapshot.take(from: service.database, into: databaseCopy)
        do { try afterSnapshot?() } catch { throw .lifecycle("\(error)") }
        var copied: [String: CopiedPlugin] = [:]
        var advanced: [String] = []
        for (userID, plugins) in snapshot.users {
            let (userCopies, wasAdvanced) = try backUp(userID: userID, plugins, into: destination, copy: snapshot.copy)
            copied.merge(userCopies) { $1 }
            if wasAdvanced { advanced.append(userID) }
        }
        let summary = try snapshot.summary()
        do { try snapshot.copy.close() } catch { throw .database(String(describing: error)) }

        // bundle-secret stays out on purpose: losing it only voids the bundle URLs handed out so
        // far (`serve` makes a new one and pages fetch new URLs), and a restore keeps the one in place.
        let includesSecret = FileTree.kind(directory.defaultSecretPath) == .regular
        if includesSecret {
            try TreeCopy.copyFile(directory.defaultSecretPath, destination + "/jwt-secret", mode: 0o600)
        }
        let catalogRoot = DataDirectory(root: service.catalog.root.path).root
        let includesCatalog = catalogRoot == directory.defaultCatalogRoot && FileTree.kind(catalogRoot) == .directory
        if includesCatalog {
            // Hidden names are a publisher's staging folders: never part of the catalog.
            _ = try TreeCopy(skipsHiddenNames: true).copy(catalogRoot, to: destination + "/catalog")
        }
        do throws(SystemCallError) {
            try FileTree.syncDirectory(destination + "/plugins")
            try FileTree.syncDirectory(destination)
        } catch {
            throw MaintenanceError(error)
        }

        guard let written = FileDigest.sha256(databaseCopy) else {
            throw MaintenanceError(SystemCallError("read", databaseCopy))
        }
        let keys = copied.keys.sorted()
        let manifest = BackupManifest(
            format: BackupManifest.format, formatVersion: BackupManifest.currentFormatVersion,
            createdAt: ISO8601DateFormatter().string(from: Date()), sourceDataDirectory: directory.root,
            database: .init(file: "lifecycle.sqlite", size: written.size, sha256: written.sha256, migrations: summary.migrations),
            counts: .init(users: summary.users, plugins: summary.plugins, folders: Self.folderCount(destination + "/plugins"),
                          files: copied.values.reduce(0) { $0 + $1.files }, bytes: copied.values.reduce(0) { $0 + $1.bytes }),
            includesSecret: includesSecret, includesCatalog: includesCatalog, usersTakenLater: advanced,
            damagedAtBackup: keys.filter { copied[$0]!.damaged },
            skipped: keys.flatMap { key in copied[key]!.skipped.map { key + "/" + $0 } })
        try manifest.write(to: destination)
        return manifest
    }

    /// Copies one user's folders, as of the snapshot or, if they changed since, as of now with
    /// their rows replaced in the copy. Returns the copies by `user/slug` and whether it was "now".
    private func backUp(userID: String, _ planned: [DatabaseSnapshot.Plugin], into destination: String,
                        copy: BackupCopy) throws(MaintenanceError) -> ([String: CopiedPlugin], Bool) {
        // The service never writes an invalid id: such rows stay in the copy, there is no folder to take.
        guard let user = try? UserID(userID) else { return ([:], false) }
        let userFolder = destination + "/plugins/" + user.value
        var slugs = Set(planned.compactMap { try? PluginSlug($0.slug) })
        // A plugin installed between reading the slugs and taking the leases: take it too, and look again.
        var leaseLost = false
        for _ in 0..<Self.attemptsPerUser {
            slugs.formUnion(try liveSlugs(user))
            let outcome = try withLeases(user, slugs.sorted()) { () throws(MaintenanceError) -> ([String: CopiedPlugin], Bool)? in
                do throws(SystemCallError) { try FileTree.removeTree(userFolder) } catch { throw MaintenanceError(error) }
                let current = try read { try $0.operationIDs(userID: user.value) }
                if planned.allSatisfy({ current[$0.slug] == $0.operationID }) {
                    // Unchanged since the snapshot (plugins installed since are not in it, and stay out).
                    let copied = try copyFolders(planned.map { ($0.slug, $0.files) }, user: user, into: userFolder)
                    try runHook(user)
                    return (copied, false)
                }
                let live = try read { try $0.userRows(userID: user.value) }
                let operations = live.operations
                guard Set(operations.keys).isSubset(of: slugs.map(\.value)) else { return nil }
                do { try copy.replace(with: live) } catch {
                    throw .database(String(describing: error))
                }
                let copied = try copyFolders(operations.keys.sorted().map { ($0, live.files(slug: $0)) }, user: user, into: userFolder)
                try runHook(user)
                return (copied, true)
            }
            // A lease expired under the copy: another operation may have moved a folder; copy the user again.
            guard let outcome else { leaseLost = true; continue }
            if let outcome { return outcome }
            leaseLost = false
        }
        throw leaseLost ? .leaseExpired(user: user.value, attempts: Self.attemptsPerUser) : .tooMuchActivity(user: user.value)
    }

    private func copyFolders(_ plugins: [(slug: String, files: [String: (size: Int64, sha256: String)])], user: UserID,
                             into userFolder: String) throws(MaintenanceError) -> [String: CopiedPlugin] {
        var result: [String: CopiedPlugin] = [:]
        for (rawSlug, expected) in plugins {
            let key = user.value + "/" + rawSlug
            guard let slug = try? PluginSlug(rawSlug), FileTree.kind(service.directory.installedFolder(user: user, slug: slug)) == .directory else {
                // Installed, but the folder is gone: the backup keeps that state (doctor and repair see it).
                result[key] = CopiedPlugin(files: 0, bytes: 0, damaged: true, skipped: [])
                continue
            }
            try OperatorFiles.makeFolder(userFolder, mode: 0o755)
            let copy = try TreeCopy().copy(service.directory.installedFolder(user: user, slug: slug), to: userFolder + "/" + rawSlug)
            let damaged = expected.contains { path, file in
                guard let found = copy.files[path] else { return true }
                return found.size != file.size || found.sha256 != file.sha256
            }
            result[key] = CopiedPlugin(files: copy.files.count, bytes: copy.bytes, damaged: damaged, skipped: copy.skipped)
        }
        if FileTree.kind(userFolder) == .directory {
            do throws(SystemCallError) { try FileTree.syncDirectory(userFolder) } catch { throw MaintenanceError(error) }
        }
        return result
    }

    private func liveSlugs(_ user: UserID) throws(MaintenanceError) -> Set<PluginSlug> {
        Set(try read { try $0.operationIDs(userID: user.value) }.keys.compactMap { try? PluginSlug($0) })
    }

    /// A query of the live database, its errors as ``MaintenanceError``.
    private func read<T>(_ query: (LifecycleDatabase) throws -> T) throws(MaintenanceError) -> T {
        do { return try query(service.database) } catch { throw .database(String(describing: error)) }
    }

    private func runHook(_ user: UserID) throws(MaintenanceError) {
        do { try whileHoldingLeases?(user.value) } catch { throw .lifecycle("\(error)") }
    }

    /// Runs `body` holding the user's leases; nil when a lease expired and was taken meanwhile.
    private func withLeases<T>(_ user: UserID, _ slugs: [PluginSlug], _ body: () throws(MaintenanceError) -> T) throws(MaintenanceError) -> T? {
        do {
            return try service.holdingLeases(user: user, slugs: slugs, timeout: leaseTimeout, body)
        } catch is LifecycleService.LeaseLost {
            return nil
        } catch let error as MaintenanceError {
            throw error
        } catch LifecycleError.operationInProgress(let slug, _) {
            throw .pluginBusy(user: user.value, slug: slug)
        } catch let error as LifecycleError {
            throw .lifecycle(error.description)
        } catch {
            throw .lifecycle(String(describing: error))
        }
    }

    static func folderCount(_ root: String) -> Int {
        ((try? FileTree.entries(root)) ?? []).reduce(0) { $0 + ((try? FileTree.entries(root + "/" + $1)) ?? []).count }
    }

    /// A destination a backup may go into: nothing there yet, or an empty real folder.
    static func isEmptyOrMissing(_ folder: String) -> Bool {
        switch FileTree.kind(folder) {
        case .missing: return true
        case .directory: return ((try? FileTree.entries(folder)) ?? ["?"]).isEmpty
        default: return false
        }
    }
}
