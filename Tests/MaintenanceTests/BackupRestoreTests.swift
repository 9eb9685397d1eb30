import Foundation
import GRDB
import LifecycleCore
import LifecycleStore
@testable import Maintenance
import Telemetry
import Testing

@Suite struct BackupRestoreTests {
    /// Every installed plugin of every user in the data directory, checked as `status --full` does.
    func expectEveryPluginHealthy(_ root: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let service = try LifecycleService(dataDirectory: root, logger: MaintenanceFixture.quiet)
        let rows = try service.database.read { db in
            try Row.fetchAll(db, sql: "SELECT user_id, plugin_slug FROM plugin").map { ($0[0] as String, $0[1] as String) }
        }
        for (user, slug) in rows {
            let status = try service.status(user: user, slug: slug, verify: .full)
            #expect(status.status == .healthy, "\(user)/\(slug): \(status)", sourceLocation: sourceLocation)
        }
        let report = Doctor(dataDirectory: root).run()
        #expect(report.errors == 0 && report.warnings == 0, "\(report.text)", sourceLocation: sourceLocation)
        return rows.count
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
        usleep(200_000)
        var manifests: [BackupManifest] = []
        for attempt in 0..<3 {
            manifests.append(try BackupWriter(service: f.service).write(to: f.path("backup\(attempt)")))
        }
        let committed = churn.stop()
        #expect(committed > 10, "writers were committing during the backups (\(committed))")
        print("concurrent backups: \(committed) operations committed; users taken later: \(manifests.map(\.usersTakenLater))")
        for (attempt, manifest) in manifests.enumerated() {
            #expect(manifest.damagedAtBackup.isEmpty, "\(manifest.damagedAtBackup)")
            let report = try BackupRestorer(source: f.path("backup\(attempt)"), dataDirectory: f.path("restored\(attempt)")).restore()
            #expect(try expectEveryPluginHealthy(f.path("restored\(attempt)")) == report.plugins)
            #expect(report.plugins >= 6, "the settled installs are in every backup")
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
        #expect(try restored.database.plugins(userID: "u3").map(\.pluginSlug) == ["braindrive_chat"])
        // The audit trail of a user taken later ends with the changes the backup shows.
        let audit = try restored.audit(user: UserID("u2"), limit: 10, cursor: nil)
        #expect(audit.events.map(\.action).filter { $0 == "uninstall" }.count == 2, "\(audit.events.map(\.action))")
    }

    @Test func restoreRefusesANonEmptyDirectoryUnlessForced() throws {
        let a = try MaintenanceFixture(); defer { a.remove() }
        _ = try a.service.install(user: "u1", slug: "braindrive-network")
        _ = try BackupWriter(service: a.service).write(to: a.path("backup"))
        let b = try MaintenanceFixture(); defer { b.remove() }
        _ = try b.service.install(user: "other", slug: "braindrive-chat")

        #expect(throws: MaintenanceError.notEmpty(["its database has 1 installed plugins", "plugins/ holds 1 user folders"])) {
            try BackupRestorer(source: a.path("backup"), dataDirectory: b.root).restore()
        }
        #expect(FileManager.default.fileExists(atPath: b.pluginFolder("other", "braindrive_chat")), "nothing touched")

        let report = try BackupRestorer(source: a.path("backup"), dataDirectory: b.root, force: true).restore()
        #expect(report.replaced.contains("lifecycle.sqlite") && report.replaced.contains("plugins"))
        #expect(!FileManager.default.fileExists(atPath: b.root + "/plugins/other"))
        #expect(try expectEveryPluginHealthy(b.root) == 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: b.root).filter { $0.hasPrefix(".restore") }
        #expect(leftovers.isEmpty)
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
