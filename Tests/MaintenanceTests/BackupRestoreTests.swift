import Foundation
import GRDB
import LifecycleCore
import LifecycleStore
@testable import Maintenance
import Telemetry
import Testing

@Suite(.timeLimit(.minutes(10))) struct BackupRestoreTests {
    /// Every installed plugin of every user in the data directory, checked as `status --full` does.
    /// Doctor and the lease check come first: `status` runs recovery, which would hide what they see.
    func expectEveryPluginHealthy(_ root: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let report = Doctor(dataDirectory: root).run()
        #expect(report.errors == 0 && report.warnings == 0, "\(report.text)", sourceLocation: sourceLocation)
        let raw = try DatabaseQueue(path: root + "/lifecycle.sqlite")
        #expect(try raw.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM operation_lease") } == 0,
                "a backup holds no operation lease", sourceLocation: sourceLocation)
        try raw.close()
        let service = try LifecycleService(dataDirectory: root, logger: MaintenanceFixture.quiet)
        let rows = try service.database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT user_id, plugin_slug FROM plugin").map { ($0[0] as String, $0[1] as String) }
        }
        for (user, slug) in rows {
            let status = try service.status(user: user, slug: slug, verify: .full)
            #expect(status.status == .healthy, "\(user)/\(slug): \(status)", sourceLocation: sourceLocation)
        }
        return rows.count
    }

    /// The `.restore-*` entries of a data directory.
    func restoreLeftovers(_ root: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix(".restore") }
    }

    func rows(_ service: LifecycleService, _ users: [String]) throws -> [PluginRow] {
        try users.flatMap { try service.database.plugins(userID: $0) }
    }

    @Test func aRestoredBackupHasEveryPluginOfEveryUserHealthy() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        let users = ["u1", "u2", "u3", "u4", "u5"]
        _ = try f.service.install(user: "u1", slug: "braindrive-network", version: "1.0.0")
        _ = try f.service.install(user: "u2", slug: "braindrive-library")
        _ = try f.service.install(user: "u3", slug: "braindrive-network")
        _ = try f.service.install(user: "u3", slug: "braindrive-settings")
        _ = try f.service.install(user: "u4", slug: "braindrive-chat")
        _ = try f.service.install(user: "u5", slug: "braindrive-settings")
        _ = try f.service.setEnabled(false, user: UserID("u3"), slug: LifecycleService.slug("braindrive-network"), context: .cli)

        let manifest = try BackupWriter(service: f.service).write(to: f.path("backup"))
        #expect(manifest.counts.plugins == 7 && manifest.counts.users == 5 && manifest.counts.folders == 7)
        #expect(manifest.includesSecret && manifest.includesCatalog && manifest.usersTakenLater.isEmpty)
        #expect(manifest.damagedAtBackup.isEmpty && manifest.skipped.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: f.path("backup/lifecycle.sqlite-wal")), "one self-contained database file")

        let report = try BackupRestorer(source: f.path("backup"), dataDirectory: f.path("restored")).restore()
        #expect(report.plugins == 7 && report.restoredSecret && report.restoredCatalog && report.replaced.isEmpty)
        #expect(try expectEveryPluginHealthy(f.path("restored")) == 7)
        let restored = try LifecycleService(dataDirectory: f.path("restored"), logger: MaintenanceFixture.quiet)
        #expect(try rows(restored, users) == rows(f.service, users), "rows as they were, enabled flags included")
        #expect(try Data(contentsOf: URL(fileURLWithPath: f.path("restored/jwt-secret")))
                == Data(contentsOf: URL(fileURLWithPath: f.root + "/jwt-secret")))
        var st = stat()
        #expect(stat(f.path("restored/jwt-secret"), &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(stat(f.path("restored"), &st) == 0 && st.st_mode & 0o777 == 0o750)
    }

    @Test func aBackupTakenWhileInstallsRunRestoresHealthy() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        for user in ["s1", "s2", "s3"] { _ = try f.service.install(user: user, slug: "braindrive-library") }
        let churn = Churn(service: f.service, userGroups: [["c1", "c2", "shared"], ["c3", "c4", "shared"], ["c5", "s1"]])
        churn.start()
        defer { _ = churn.stop() }
        let started = Date().addingTimeInterval(60)
        while churn.committedCount == 0 && Date() < started { usleep(5_000) }  // the writers are at work
        var manifests: [BackupManifest] = []
        var during: [Int] = []
        for attempt in 0..<3 {
            var writer = BackupWriter(service: f.service)
            // Between the snapshot and the folders, wait until the writers have committed more: the
            // folders the backup copies are then not the ones of its snapshot for some user.
            writer.afterSnapshot = {
                let start = churn.committedCount
                let deadline = Date().addingTimeInterval(60)  // a hang guard, never reached by a working churn
                while churn.committedCount < start + 5 && Date() < deadline { usleep(5_000) }
            }
            let before = churn.committedCount
            manifests.append(try writer.write(to: f.path("backup\(attempt)")))
            during.append(churn.committedCount - before)
        }
        let committed = churn.stop()
        #expect(during.allSatisfy { $0 >= 5 }, "writers committed during each backup: \(during)")
        #expect(manifests.contains { !$0.usersTakenLater.isEmpty }, "some user changed between snapshot and copy: \(manifests.map(\.usersTakenLater))")
        print("concurrent backups: \(committed) operations committed; users taken later: \(manifests.map(\.usersTakenLater))")
        for (attempt, manifest) in manifests.enumerated() {
            #expect(manifest.damagedAtBackup.isEmpty, "\(manifest.damagedAtBackup)")
            let report = try BackupRestorer(source: f.path("backup\(attempt)"), dataDirectory: f.path("restored\(attempt)")).restore()
            #expect(try expectEveryPluginHealthy(f.path("restored\(attempt)")) == report.plugins)
            // s2 and s3 are never churned (s1 is), so their installs are settled before any backup.
            let restored = try LifecycleService(dataDirectory: f.path("restored\(attempt)"), logger: MaintenanceFixture.quiet)
            for user in ["s2", "s3"] {
                #expect(try restored.database.plugins(userID: user).map(\.pluginSlug).sorted() == ["braindrive_chat", "braindrive_library"],
                        "the settled installs of \(user) are in backup \(attempt)")
            }
        }
    }

    @Test func usersWhosePluginsChangeDuringTheBackupAreTakenAsOfLaterWithTheirRows() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network", version: "1.0.0")
        _ = try f.service.install(user: "u2", slug: "braindrive-library")
        _ = try f.service.install(user: "u3", slug: "braindrive-chat")
        _ = try f.service.install(user: "u4", slug: "braindrive-settings")
        var writer = BackupWriter(service: f.service)
        let service = f.service
        writer.afterSnapshot = {
            // Between the database copy and the folders: an update, a cascade, a new install.
            _ = try service.update(user: UserID("u1"), slug: LifecycleService.slug("braindrive-network"), version: nil, context: .cli)
            _ = try service.share(user: UserID("u1"), slug: LifecycleService.slug("braindrive-network"), with: [UserID("u4")], context: .cli)
            _ = try service.uninstall(user: "u2", slug: "braindrive-chat", cascade: true)
            _ = try service.install(user: "u3", slug: "braindrive-library")
        }
        let manifest = try writer.write(to: f.path("backup"))
        // u3's chat is as it was: u3 is taken as of the snapshot, where library is not installed yet.
        #expect(manifest.usersTakenLater == ["u1", "u2"])
        #expect(manifest.counts.plugins == 3 && manifest.counts.folders == 3, "u1 network, u3 chat, u4 settings")
        _ = try BackupRestorer(source: f.path("backup"), dataDirectory: f.path("restored")).restore()
        #expect(try expectEveryPluginHealthy(f.path("restored")) == 3)
        let restored = try LifecycleService(dataDirectory: f.path("restored"), logger: MaintenanceFixture.quiet)
        let users = ["u1", "u2", "u4"]
        #expect(try rows(restored, users) == rows(f.service, users), "taken later: their rows as they are now")
        #expect(try restored.status(user: "u1", slug: "braindrive-network").version == "1.1.0")
        #expect(try restored.shared(user: UserID("u4")).shares.map(\.version) == ["1.1.0"], "u1's share, made after the snapshot, came with u1")
        #expect(try restored.database.plugins(userID: "u3").map(\.pluginSlug) == ["braindrive_chat"])
        // The audit trail of a user taken later ends with the changes the backup shows.
        let audit = try restored.audit(user: UserID("u2"), limit: 10, cursor: nil)
        #expect(audit.events.map(\.action).filter { $0 == "uninstall" }.count == 2, "\(audit.events.map(\.action))")
    }

    @Test func aUserWhoseLeaseWasTakenDuringTheCopyIsCopiedAgainOrTheBackupFails() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        _ = try f.service.install(user: "u2", slug: "braindrive-settings")
        let service = f.service
        let thefts = Countdown(1)
        var writer = BackupWriter(service: service)
        // What an expired lease allows: another operation takes it while the folders are copied.
        writer.whileHoldingLeases = { user in
            guard user == "u1", thefts.take() else { return }
            try service.database.pool.write { db in try db.execute(sql: "DELETE FROM operation_lease WHERE user_id = ?", arguments: [user]) }
        }
        let manifest = try writer.write(to: f.path("backup"))
        #expect(thefts.take() == false, "the lease was taken once")
        #expect(manifest.counts.plugins == 2 && manifest.counts.folders == 2)
        _ = try BackupRestorer(source: f.path("backup"), dataDirectory: f.path("restored")).restore()
        #expect(try expectEveryPluginHealthy(f.path("restored")) == 2)

        writer.whileHoldingLeases = { user in
            try service.database.pool.write { db in try db.execute(sql: "DELETE FROM operation_lease WHERE user_id = ?", arguments: [user]) }
        }
        #expect(throws: MaintenanceError.leaseExpired(user: "u1", attempts: BackupWriter.attemptsPerUser)) {
            try writer.write(to: f.path("backup2"))
        }
    }

    @Test func backupOpensTheDatabaseWithoutMigratingIt() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try f.service.database.pool.write { db in try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v2-shares'") }
        #expect(throws: MaintenanceError.schemaNotCurrent(pending: ["v2-shares"], unknown: [])) {
            try BackupWriter.openService(dataDirectory: f.root, catalogRoot: nil, logger: MaintenanceFixture.quiet)
        }
        #expect(try f.service.database.schemaState().pending == ["v2-shares"], "still not migrated")
        try f.service.database.pool.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v2-shares'), ('v3-newer')") }
        #expect(throws: MaintenanceError.schemaNotCurrent(pending: [], unknown: ["v3-newer"])) {
            try BackupWriter.openService(dataDirectory: f.root, catalogRoot: nil, logger: MaintenanceFixture.quiet)
        }
        #expect(throws: MaintenanceError.nothingToBackUp("no database at \(f.path("nowhere"))/lifecycle.sqlite")) {
            try BackupWriter.openService(dataDirectory: f.path("nowhere"), catalogRoot: nil, logger: MaintenanceFixture.quiet)
        }
        #expect(!FileManager.default.fileExists(atPath: f.path("nowhere")))
    }

    @Test func restoreRefusesANonEmptyDirectoryUnlessForcedAndKeepsThePreviousData() throws {
        let (a, b) = try aBackupAndAnOccupiedDirectory(); defer { a.remove(); b.remove() }

        // b's database is open in this process: SQLite's lock on its -shm says so.
        #expect(throws: MaintenanceError.liveDataDirectory(["a process (pid \(getpid())) has the database open (it holds SQLite's lock on \(b.root)/lifecycle.sqlite-shm)"])) {
            try BackupRestorer(source: a.path("backup"), dataDirectory: b.root, force: true).restore()
        }
        try b.service.database.pool.close()
        try leaveCommittedChangesInTheWAL(b.root)

        #expect(throws: MaintenanceError.notEmpty(["its database has 1 installed plugins", "plugins/ holds 1 user folders",
                                                   "catalog/ holds 4 entries"])) {
            try BackupRestorer(source: a.path("backup"), dataDirectory: b.root).restore()
        }
        #expect(FileManager.default.fileExists(atPath: b.pluginFolder("other", "braindrive_chat")), "nothing touched")

        let report = try BackupRestorer(source: a.path("backup"), dataDirectory: b.root, force: true).restore()
        #expect(report.replaced.contains("lifecycle.sqlite") && report.replaced.contains("plugins") && report.replaced.contains("catalog"))
        #expect(!report.replaced.contains("lifecycle.sqlite-wal"), "the old WAL was checkpointed into its database first")
        #expect(!FileManager.default.fileExists(atPath: b.root + "/plugins/other"))
        let previous = try #require(report.previousData)
        #expect(report.text.contains("rm -rf \(previous)"))
        #expect(RestoreRecord.read(previous) == RestoreRecord(state: .completed, source: a.path("backup"), entries: report.replaced))
        // The previous database is one self-contained file: the change that was only in its WAL is in it.
        #expect(!FileManager.default.fileExists(atPath: previous + "/lifecycle.sqlite-wal"))
        let old = try DatabaseQueue(path: previous + "/lifecycle.sqlite")
        #expect(try old.read { db in try String.fetchAll(db, sql: "SELECT note FROM wal_only") } == ["committed"])
        #expect(try old.read { db in try String.fetchAll(db, sql: "SELECT user_id FROM plugin") } == ["other"])
        try old.close()
        #expect(Doctor(dataDirectory: b.root).run().findings("restore_previous_kept").first?.remedy == "once the restored data is what you want, rm -rf \(previous)")
        try FileManager.default.removeItem(atPath: previous)
        #expect(try expectEveryPluginHealthy(b.root) == 1)
        #expect(try restoreLeftovers(b.root).isEmpty)
    }

    /// `a` with a backup of u1's network in `a.path("backup")`; `b` where "other" has chat installed.
    func aBackupAndAnOccupiedDirectory() throws -> (MaintenanceFixture, MaintenanceFixture) {
        let a = try MaintenanceFixture()
        _ = try a.service.install(user: "u1", slug: "braindrive-network")
        _ = try BackupWriter(service: a.service).write(to: a.path("backup"))
        let b = try MaintenanceFixture()
        _ = try b.service.install(user: "other", slug: "braindrive-chat")
        return (a, b)
    }

    /// What a process killed right after committing leaves: the change only in the -wal, beside its database.
    func leaveCommittedChangesInTheWAL(_ root: String) throws {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = ["-c", """
            import sqlite3, os, sys
            c = sqlite3.connect(sys.argv[1] + "/lifecycle.sqlite")
            c.execute("PRAGMA wal_autocheckpoint = 0")
            c.execute("CREATE TABLE wal_only (note TEXT)")
            c.execute("INSERT INTO wal_only VALUES ('committed')")
            c.commit()
            os._exit(0)
            """, root]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        #expect((try? FileManager.default.attributesOfItem(atPath: root + "/lifecycle.sqlite-wal")[.size] as? Int) ?? 0 > 0)
    }

    @Test func aRestoreWhoseDatabaseFailsItsChecksPutsThePreviousDataBack() throws {
        let (a, b) = try aBackupAndAnOccupiedDirectory(); defer { a.remove(); b.remove() }
        try b.service.database.pool.close()
        // Closing the pool may leave its -wal and -shm; the restore folds them into the file.
        let companions: Set<String> = ["lifecycle.sqlite-wal", "lifecycle.sqlite-shm"]
        let before = try FileManager.default.contentsOfDirectory(atPath: b.root).sorted().filter { !companions.contains($0) }

        var restorer = BackupRestorer(source: a.path("backup"), dataDirectory: b.root, force: true)
        let database = b.root + "/lifecycle.sqlite"
        restorer.afterSwap = {
            // The restored file is damaged once in place (a disk error, a bad copy).
            try Data(repeating: 0x5A, count: 4096).write(to: URL(fileURLWithPath: database))
        }
        #expect {
            try restorer.restore()
        } throws: { error in
            guard case .restoredDataRejected(let reason) = error as? MaintenanceError else { return false }
            return reason.contains("file is not a database")
        }
        let after = try FileManager.default.contentsOfDirectory(atPath: b.root).sorted().filter { !companions.contains($0) }
        #expect(after == before, "the previous entries are back, nothing of the restore is left")
        #expect(FileManager.default.fileExists(atPath: b.pluginFolder("other", "braindrive_chat")))
        #expect(try expectEveryPluginHealthy(b.root) == 1)
        let service = try LifecycleService(dataDirectory: b.root, logger: MaintenanceFixture.quiet)
        #expect(try service.database.plugins(userID: "other").map(\.pluginSlug) == ["braindrive_chat"])
    }

    @Test func restoreRefusesABackupWithMigrationsThisBuildDoesNotKnow() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        _ = try BackupWriter(service: f.service).write(to: f.path("backup"))
        let path = f.path("backup/manifest.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var database = try #require(json["database"] as? [String: Any])
        database["migrations"] = (database["migrations"] as? [String] ?? []) + ["v9-from-a-newer-build"]
        json["database"] = database
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        #expect(throws: MaintenanceError.unknownMigrations(["v9-from-a-newer-build"])) {
            try BackupRestorer(source: f.path("backup"), dataDirectory: f.path("target")).restore()
        }
        #expect(!FileManager.default.fileExists(atPath: f.path("target")), "refused before anything was staged")
    }

    @Test func restoreRefusesADatabaseAnotherProcessHasOpen() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        _ = try BackupWriter(service: f.service).write(to: f.path("backup"))
        _ = try BackupRestorer(source: f.path("backup"), dataDirectory: f.path("target")).restore()
        // A reader in another process (as a worker is): no pid file, no socket, no lease.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        reader.arguments = ["-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1])
            c.execute("SELECT count(*) FROM plugin").fetchall()
            print("open", flush=True)
            time.sleep(60)
            """, f.path("target/lifecycle.sqlite")]
        let out = Pipe()
        reader.standardOutput = out
        try reader.run()
        // SIGKILL: a test runner may have SIGTERM blocked, and children inherit the mask.
        defer { if reader.isRunning { kill(reader.processIdentifier, SIGKILL); reader.waitUntilExit() } }
        _ = out.fileHandleForReading.availableData  // "open"
        #expect(throws: MaintenanceError.liveDataDirectory(["a process (pid \(reader.processIdentifier)) has the database open (it holds SQLite's lock on \(f.path("target"))/lifecycle.sqlite-shm)"])) {
            try BackupRestorer(source: f.path("backup"), dataDirectory: f.path("target"), force: true).restore()
        }
        kill(reader.processIdentifier, SIGKILL)
        reader.waitUntilExit()
        let report = try BackupRestorer(source: f.path("backup"), dataDirectory: f.path("target"), force: true).restore()
        #expect(report.previousData != nil)
    }

    @Test func restoreCountsADifferentSecretAsAnOccupant() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        _ = try BackupWriter(service: f.service).write(to: f.path("backup"))
        let target = f.path("target")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try Data("another secret, long enough to be accepted by serve\n".utf8).write(to: URL(fileURLWithPath: target + "/jwt-secret"))
        #expect(throws: MaintenanceError.notEmpty(["its jwt-secret differs from the backup's (tokens signed with it would stop verifying)"])) {
            try BackupRestorer(source: f.path("backup"), dataDirectory: target).restore()
        }
        // The same secret is no reason to refuse.
        try FileManager.default.removeItem(atPath: target + "/jwt-secret")
        try FileManager.default.copyItem(atPath: f.root + "/jwt-secret", toPath: target + "/jwt-secret")
        let report = try BackupRestorer(source: f.path("backup"), dataDirectory: target).restore()
        #expect(report.replaced == ["jwt-secret"])
    }

    @Test func restoreRefusesALivePoolEvenWhenForced() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        _ = try BackupWriter(service: f.service).write(to: f.path("backup"))
        let target = f.path("target")
        try FileManager.default.createDirectory(atPath: target + "/run", withIntermediateDirectories: true)
        chmod(target, 0o750)

        // Something accepts on the pool's socket.
        let listener = try UnixListener(path: target + "/run/fcgi.sock")
        #expect(throws: MaintenanceError.liveDataDirectory(["a process accepts connections on \(target)/run/fcgi.sock"])) {
            try BackupRestorer(source: f.path("backup"), dataDirectory: target, force: true).restore()
        }
        listener.close()

        // The pid file names a live plugin-lifecycle process (this test runner is one).
        try "\(getpid())\n".write(toFile: target + "/run/pool.pid", atomically: true, encoding: .utf8)
        #expect(throws: MaintenanceError.liveDataDirectory(["the pool's master (pid \(getpid()), \(target)/run/pool.pid) is running"])) {
            try BackupRestorer(source: f.path("backup"), dataDirectory: target, force: true).restore()
        }
        #expect(!FileManager.default.fileExists(atPath: target + "/lifecycle.sqlite"))
        try FileManager.default.removeItem(atPath: target + "/run/pool.pid")

        // A pool with its socket elsewhere and no pid file (systemd) is known by its counter files.
        let metrics = MetricsDirectory(path: target + "/run/metrics")
        _ = try metrics.startPool(configuredWorkers: 1)
        #expect(throws: MaintenanceError.liveDataDirectory(["the pool's master (pid \(getpid()), \(target)/run/metrics/pool.bin) is running"])) {
            try BackupRestorer(source: f.path("backup"), dataDirectory: target, force: true).restore()
        }
        try FileManager.default.removeItem(atPath: target + "/run/metrics")

        // A stale pid file (no such process) and a socket nobody listens on do not block.
        try "999999999\n".write(toFile: target + "/run/pool.pid", atomically: true, encoding: .utf8)
        _ = try BackupRestorer(source: f.path("backup"), dataDirectory: target).restore()
        #expect(try expectEveryPluginHealthy(target) == 1)
    }

    @Test func restoreRefusesADamagedOrForeignBackup() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        _ = try BackupWriter(service: f.service).write(to: f.path("backup"))
        let handle = try #require(FileHandle(forUpdatingAtPath: f.path("backup/lifecycle.sqlite")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        #expect(throws: MaintenanceError.checksumMismatch("lifecycle.sqlite")) {
            try BackupRestorer(source: f.path("backup"), dataDirectory: f.path("target")).restore()
        }
        #expect(throws: MaintenanceError.notABackup(f.root)) {
            try BackupRestorer(source: f.root, dataDirectory: f.path("target")).restore()
        }
        #expect(!FileManager.default.fileExists(atPath: f.path("target")))
    }

    @Test func backupRefusesANonEmptyDestinationOrOneInsideTheDataDirectory() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try FileManager.default.createDirectory(atPath: f.path("full"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: f.path("full/file")))
        #expect(throws: MaintenanceError.destinationNotEmpty(f.path("full"))) {
            try BackupWriter(service: f.service).write(to: f.path("full"))
        }
        #expect(throws: MaintenanceError.destinationInsideDataDirectory(f.root + "/backup")) {
            try BackupWriter(service: f.service).write(to: f.root + "/backup")
        }
        // Through a link: the same place under another name.
        try FileManager.default.createSymbolicLink(atPath: f.path("link"), withDestinationPath: f.root)
        #expect {
            try BackupWriter(service: f.service).write(to: f.path("link/backups/today"))
        } throws: { error in
            guard case .destinationInsideDataDirectory = error as? MaintenanceError else { return false }
            return true
        }
        #expect(!FileManager.default.fileExists(atPath: f.root + "/backups"))
    }
}

/// A number of times something may happen, shared with a hook.
final class Countdown: @unchecked Sendable {
    private let lock = NSLock()
    private var left: Int
    init(_ count: Int) { left = count }
    /// True (and one fewer left) while any are left.
    func take() -> Bool {
        lock.withLock {
            guard left > 0 else { return false }
            left -= 1
            return true
        }
    }
}

/// A unix socket that accepts (the kernel completes connections up to the backlog), standing in for the pool.
struct UnixListener {
    let fd: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    /// Closes without unlinking: the socket file stays, as after a pool that crashed.
    func close() { _ = Glibc.close(fd) }
}
