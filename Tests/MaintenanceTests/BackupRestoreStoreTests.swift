import Foundation
import GRDB
import LifecycleCore
import LifecycleStore
@testable import Maintenance
import StoreTestSupport
import Testing

/// Backup and restore on either store: the backup is one SQLite file whatever the store (on
/// PostgreSQL, one snapshot exported into it), so a backup restores into either store.
@Suite(.timeLimit(.minutes(10))) struct BackupRestoreStoreTests {
    /// Plugins of three users, one disabled, and a share.
    func populate(_ f: MaintenanceFixture) throws {
        _ = try f.service.install(user: "u1", slug: "braindrive-network", version: "1.0.0")
        _ = try f.service.install(user: "u2", slug: "braindrive-library")
        _ = try f.service.install(user: "u3", slug: "braindrive-settings")
        _ = try f.service.setEnabled(false, user: UserID("u3"), slug: LifecycleService.slug("braindrive-settings"), context: .cli)
        _ = try f.service.share(user: UserID("u1"), slug: LifecycleService.slug("braindrive-network"), with: [UserID("u2")],
                                context: .cli)
    }

    static let users = ["u1", "u2", "u3"]

    /// ``populate(_:)``, a backup at `backup`, then u4 installs a plugin the backup does not have;
    /// returns the snapshot the backup holds.
    func backedUpThenChanged(_ f: MaintenanceFixture) throws -> (plugins: [PluginRow], audits: [AuditEventRow], shares: Int) {
        try populate(f)
        _ = try BackupWriter(service: f.service).write(to: f.path("backup"))
        let original = try snapshot(f.service)
        _ = try f.service.install(user: "u4", slug: "braindrive-network")
        return original
    }

    /// Every row the API shows of the users, and each plugin's full status.
    func snapshot(_ service: LifecycleService) throws -> (plugins: [PluginRow], audits: [AuditEventRow], shares: Int) {
        let plugins = try Self.users.flatMap { try service.database.plugins(userID: $0) }
        for plugin in plugins {
            let status = try service.status(user: plugin.userID, slug: plugin.pluginSlug, verify: .full)
            #expect(status.status == .healthy, "\(plugin.userID)/\(plugin.pluginSlug): \(status)")
        }
        let audits = try service.database.auditEvents(userID: nil, limit: 1000, before: nil)
        let shares = try service.shared(user: UserID("u2")).shares.count
        return (plugins, audits, shares)
    }

    /// Restores `backup` into a new data directory on `store`, runs `body` on it, then cleans up.
    func restored(_ backup: String, on store: TestStore, _ body: (LifecycleService, RestoreReport, StoreLocation?) throws -> Void) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lc-restored-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func run(_ location: StoreLocation?) throws {
            let report = try BackupRestorer(source: backup, dataDirectory: root, location: location).restore()
            let service = try LifecycleService(dataDirectory: root, logger: MaintenanceFixture.quiet, observer: nil, location: location)
            defer { service.database.close() }
            try body(service, report, location)
        }
        switch store {
        case .sqlite: try run(nil)
        case .postgres: try PostgresTestServer.withSchema { schema in try run(schema.location) }
        }
    }

    @Test(arguments: TestStore.all) func aBackupRestoresIntoEitherStoreAsItWas(store: TestStore) throws {
        let f = try MaintenanceFixture(store: store); defer { f.remove() }
        try populate(f)
        let manifest = try BackupWriter(service: f.service).write(to: f.path("backup"))
        #expect(manifest.counts.plugins == 4 && manifest.counts.users == 3, "u2's library brings braindrive-chat")
        #expect(manifest.database.file == "lifecycle.sqlite" && !FileManager.default.fileExists(atPath: f.path("backup/lifecycle.sqlite-wal")))
        let original = try snapshot(f.service)
        for target in TestStore.all {
            try restored(f.path("backup"), on: target) { service, report, location in
                #expect(report.plugins == 4 && report.replaced.isEmpty, "\(store) → \(target)")
                let back = try snapshot(service)
                #expect(back.plugins == original.plugins && back.audits == original.audits && back.shares == 1, "\(store) → \(target)")
                // The audit ids go on past the restored ones.
                _ = try service.install(user: "u4", slug: "braindrive-network")
                let newest = try service.database.auditEvents(userID: "u4", limit: 1, before: nil).first?.id ?? 0
                #expect(newest > (original.audits.compactMap(\.id).max() ?? 0), "\(store) → \(target)")
                let doctor = Doctor(dataDirectory: report.dataDirectory, location: location).run()
                #expect(doctor.errors == 0, "\(doctor.text)")
            }
        }
    }

    /// On PostgreSQL too: a store with plugins needs --force, and rows that fail on the server
    /// leave the server's rows and the data directory's folders as they were.
    @Test(.enabled(if: PostgresTestServer.runs, "no PostgreSQL server to test against (deploy/test starts one)"))
    func aRestoreOntoAPostgreSQLStoreNeedsForceAndRollsBackWhole() throws {
        let f = try MaintenanceFixture(store: .postgres); defer { f.remove() }
        let original = try backedUpThenChanged(f)
        let later = try f.service.database.plugins(userID: "u4")

        #expect {
            try BackupRestorer(source: f.path("backup"), dataDirectory: f.root, location: f.location).restore()
        } throws: { error in
            "\(error)".contains("its PostgreSQL store has 5 installed plugins")
        }

        // The staged backup gains a row the server refuses (a module of no plugin): the load fails.
        var failing = BackupRestorer(source: f.path("backup"), dataDirectory: f.root, force: true, location: f.location)
        let root = f.root
        failing.afterSwap = {
            let stage = try FileManager.default.contentsOfDirectory(atPath: root)
                .first { $0.hasPrefix(".restore-") && !$0.hasSuffix("-previous") }
            var config = Configuration()
            config.foreignKeysEnabled = false
            let staged = try DatabaseQueue(path: root + "/" + stage! + "/lifecycle.sqlite", configuration: config)
            try staged.write { db in
                try db.execute(sql: """
                    INSERT INTO module (id, plugin_id, user_id, name, enabled, created_at, updated_at)
                    VALUES ('x', 'nobody_nothing', 'nobody', 'X', 1, '', '')
                    """)
            }
            try staged.close()
        }
        #expect {
            try failing.restore()
        } throws: { error in
            "\(error)".contains("the previous data was put back")
        }
        #expect(try f.service.database.plugins(userID: "u4") == later, "the server's rows are as they were")
        #expect(FileManager.default.fileExists(atPath: f.pluginFolder("u4", "braindrive_network")), "and so are the folders")

        let report = try BackupRestorer(source: f.path("backup"), dataDirectory: f.root, force: true, location: f.location).restore()
        #expect(report.replaced.contains("plugins"))
        #expect(try f.service.database.plugins(userID: "u4").isEmpty && snapshot(f.service).plugins == original.plugins)
        let doctor = Doctor(dataDirectory: f.root, location: f.location).run()
        #expect(doctor.errors == 0, "\(doctor.text)")
    }

    struct AnswerLost: Error {}

    /// A load whose COMMIT landed although its answer was lost (here: the staged rows loaded, then
    /// an error) keeps the restored folders, so rows and folders agree.
    @Test(.enabled(if: PostgresTestServer.runs, "no PostgreSQL server to test against (deploy/test starts one)"))
    func aLoadThatLandedDespiteAnErrorKeepsTheRestoredFolders() throws {
        let f = try MaintenanceFixture(store: .postgres); defer { f.remove() }
        let original = try backedUpThenChanged(f)
        var restorer = BackupRestorer(source: f.path("backup"), dataDirectory: f.root, force: true, location: f.location)
        let root = f.root
        let location = try #require(f.location)
        restorer.afterSwap = {
            let stage = try #require(try FileManager.default.contentsOfDirectory(atPath: root)
                .first { $0.hasPrefix(".restore-") && !$0.hasSuffix("-previous") })
            let database = try LifecycleDatabase(location: location)
            defer { database.close() }
            _ = try database.restoreRows(fromBackupFile: root + "/" + stage + "/lifecycle.sqlite")
            throw AnswerLost()
        }
        let report = try restorer.restore()
        #expect(report.replaced.contains("plugins"))
        #expect(try f.service.database.plugins(userID: "u4").isEmpty && snapshot(f.service).plugins == original.plugins)
        #expect(!FileManager.default.fileExists(atPath: f.pluginFolder("u4", "braindrive_network")), "the restored folders stayed")
        let doctor = Doctor(dataDirectory: f.root, location: f.location).run()
        #expect(doctor.errors == 0, "\(doctor.text)")
    }
}
