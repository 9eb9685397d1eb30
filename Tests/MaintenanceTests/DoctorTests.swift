import Foundation
import GRDB
import LifecycleCore
import LifecycleStore
import Maintenance
import Testing

@Suite(.timeLimit(.minutes(10))) struct DoctorTests {
    func installSome(_ f: MaintenanceFixture) throws {
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        _ = try f.service.install(user: "u2", slug: "braindrive-library")  // with braindrive-chat
    }

    /// Every entry under `root` with the bytes of each file: the database, its WAL, the folders.
    /// The -shm is SQLite's shared index, which every reader writes to; only its presence counts.
    func contents(_ root: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        while let relative = enumerator.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue || relative.hasSuffix("-shm") {
                result[relative] = Data()
            } else {
                result[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return result
    }

    @Test func anInterruptedRestoreIsPutBackByTheCommandsDoctorPrints() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try installSome(f)
        try f.service.database.pool.close()
        // A restore killed in its swap: the database (with its WAL) and plugins/ moved aside, nothing moved in yet.
        let folder = f.root + "/.restore-abcd1234-previous"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let entries = ["lifecycle.sqlite", "plugins", "staging", "lifecycle.sqlite-wal", "lifecycle.sqlite-shm"]
            .filter { FileManager.default.fileExists(atPath: f.root + "/" + $0) }
        try JSONSerialization.data(withJSONObject: ["state": "swapping", "source": "/backups/x", "entries": entries + ["catalog"]])
            .write(to: URL(fileURLWithPath: folder + "/restore.json"))
        for name in entries.prefix(2) { try FileManager.default.moveItem(atPath: f.root + "/" + name, toPath: folder + "/" + name) }

        let report = Doctor(dataDirectory: f.root).run()
        let layout = try #require(report.findings("layout_incomplete").first)
        #expect(layout.remedy?.hasPrefix("do not run init") == true, "\(report.text)")
        let interrupted = try #require(report.findings("interrupted_restore").first)
        let commands = RestoreRecord.putBackCommands(folder: folder, entries: ["lifecycle.sqlite", "plugins"],
                                                     recorded: entries + ["catalog"], dataDirectory: f.root)
        #expect(interrupted.remedy?.contains(commands.joined(separator: "; ")) == true, "\(report.text)")
        #expect(interrupted.message.hasSuffix("lifecycle.sqlite, plugins"), "only what is in the folder")

        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-ec", commands.joined(separator: "\n")]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        let after = Doctor(dataDirectory: f.root).run()
        #expect(after.errors == 0 && after.warnings == 0, "\(after.text)")
        #expect(after.findings("plugins_checked").first?.message.contains("3 installed plugins of 2 users") == true)
    }

    @Test func aCleanDirectoryIsReportedCleanWithExitZero() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try installSome(f)
        let report = Doctor(dataDirectory: f.root).run()
        #expect(report.errors == 0 && report.warnings == 0, "\(report.text)")
        #expect(report.exitCode == 0)
        #expect(report.findings("plugins_checked").first?.message.contains("3 installed plugins of 2 users") == true)
        for code in ["layout", "secret", "bundle_secret", "permissions", "journal_mode", "integrity", "foreign_keys", "schema", "catalog", "folders", "staging"] {
            #expect(report.findings(code).first?.severity == .ok, "\(code): \(report.text)")
        }
    }

    @Test func findsAnOrphanFolderARowWithoutFilesAndAModifiedFile() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try installSome(f)
        // A folder no row knows of.
        let orphan = f.pluginFolder("u3", "braindrive_settings")
        try FileManager.default.createDirectory(atPath: orphan, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: orphan + "/package.json"))
        // A row whose folder is gone.
        try FileManager.default.removeItem(atPath: f.pluginFolder("u2", "braindrive_chat"))
        // A file changed in place, same size: only SHA-256 sees it.
        let readme = f.pluginFolder("u1", "braindrive_network") + "/README.md"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: readme)))
        bytes[0] = bytes[0] == 0x41 ? 0x42 : 0x41
        try Data(bytes).write(to: URL(fileURLWithPath: readme))

        let report = Doctor(dataDirectory: f.root).run()
        #expect(report.exitCode == 1)
        let orphanFinding = try #require(report.findings("orphan_folder").first)
        #expect(orphanFinding.severity == .warning && orphanFinding.subject == "u3/braindrive_settings")
        #expect(orphanFinding.remedy?.contains("remove the folder \(orphan)") == true)
        let missing = try #require(report.findings("row_without_folder").first)
        #expect(missing.severity == .error && missing.subject == "u2/braindrive_chat")
        #expect(missing.remedy?.contains("plugin-lifecycle repair u2 braindrive_chat --data-dir \(f.root)") == true)
        let modified = try #require(report.findings("files_modified").first)
        #expect(modified.severity == .error && modified.subject == "u1/braindrive_network" && modified.message.contains("README.md"))
        #expect(report.errors == 2 && report.warnings == 1, "\(report.text)")
        #expect(report.findings("folders").isEmpty, "no 'every folder has a row' when one has none")
    }

    @Test func reportsAnInterruptedOperationWithoutRollingItBack() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try installSome(f)
        // What a SIGKILLed install leaves: a dead owner's lease, its staging record, its folder in place.
        let lease = OperationLease(userID: "u1", pluginSlug: "braindrive_chat", operationID: "deadbeef01", operation: "install",
                                   owner: "999999999:1", expiresAt: Date().timeIntervalSince1970 + 600)
        try f.service.database.pool.write { db in try lease.insert(db) }
        let staging = f.root + "/staging/deadbeef01"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["operation_id": "deadbeef01", "user_id": "u1", "plugin_slug": "braindrive_chat",
                                                    "operation": "install"]).write(to: URL(fileURLWithPath: staging + "/operation.json"))
        try FileManager.default.createDirectory(atPath: f.pluginFolder("u1", "braindrive_chat"), withIntermediateDirectories: true)
        // And a half-removed staging folder, and what an interrupted restore leaves.
        try FileManager.default.createDirectory(atPath: f.root + "/staging/cafe.removing", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: f.root + "/.restore-1234-previous", withIntermediateDirectories: true)
        let before = try contents(f.root)

        let report = Doctor(dataDirectory: f.root).run()
        #expect(report.exitCode == 0, "warnings only: \(report.text)")
        let interrupted = try #require(report.findings("interrupted_operation").first)
        #expect(interrupted.subject == "u1/braindrive_chat" && interrupted.remedy?.contains("status u1 braindrive_chat") == true)
        #expect(report.findings("interrupted_operation").count == 1, "the staging record of that lease is not reported twice")
        #expect(report.findings("uncommitted_folder").first?.subject == "u1/braindrive_chat")
        #expect(report.findings("leftover_staging").first?.subject == f.root + "/staging/cafe.removing")
        #expect(report.findings("interrupted_restore").first?.severity == .warning)
        #expect(try contents(f.root) == before, "not a byte of the data directory changed, no entry came or went")
        // Read-only: the lease, the staging folders and the folder are all still there.
        #expect(try f.service.database.allLeases().map(\.operationID) == ["deadbeef01"])
        #expect(FileManager.default.fileExists(atPath: staging + "/operation.json"))
        #expect(FileManager.default.fileExists(atPath: f.root + "/staging/cafe.removing"))
        #expect(FileManager.default.fileExists(atPath: f.pluginFolder("u1", "braindrive_chat")))
    }

    @Test func findsNoErrorInAHealthyDirectoryWhileWritersWork() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try installSome(f)
        let churn = Churn(service: f.service, userGroups: [["c1", "c2"], ["c2", "c3"], ["u1"]])
        churn.start()
        defer { _ = churn.stop() }
        // A hang guard only: the writers commit 40 operations during doctor's runs however slow the machine.
        let hangGuard = Date().addingTimeInterval(600)
        var runs = 0
        // Folders swapped and rows committed under doctor's feet are operations, not damage.
        while runs < 10 || (churn.committedCount < 40 && Date() < hangGuard) {
            let report = Doctor(dataDirectory: f.root).run()
            #expect(report.errors == 0, "\(report.text)")
            runs += 1
        }
        #expect(churn.stop() >= 40)
    }

    @Test func findsAPluginWhoseDependencyIsNotInstalled() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try installSome(f)  // u2: braindrive-library with braindrive-chat
        // A row removed by hand (uninstall would refuse: library needs chat).
        try f.service.database.pool.write { db in
            try db.execute(sql: "DELETE FROM plugin WHERE user_id = 'u2' AND plugin_slug = 'braindrive_chat'")
        }
        try FileManager.default.removeItem(atPath: f.pluginFolder("u2", "braindrive_chat"))
        let report = Doctor(dataDirectory: f.root).run()
        let missing = try #require(report.findings("missing_dependency").first)
        #expect(missing.severity == .error && missing.subject == "u2/braindrive_library" && missing.message.contains("braindrive_chat"))
        #expect(missing.remedy?.hasPrefix("run `plugin-lifecycle install u2 braindrive_chat --data-dir \(f.root)`") == true, "\(report.text)")
        #expect(report.findings("missing_dependency").count == 1 && report.exitCode == 1)
    }

    @Test func findsADependencyInstalledOutsideTheRangeItsDependentNeeds() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try installSome(f)  // u2: braindrive-library needs braindrive-chat ^1.0.0, has 1.0.0
        #expect(Doctor(dataDirectory: f.root).run().findings("dependency_out_of_range").isEmpty)
        // A row edited by hand (update refuses to leave a dependent's range).
        try f.service.database.pool.write { db in
            try db.execute(sql: "UPDATE plugin SET version = '2.0.0' WHERE user_id = 'u2' AND plugin_slug = 'braindrive_chat'")
        }
        let report = Doctor(dataDirectory: f.root).run()
        let outside = try #require(report.findings("dependency_out_of_range").first, "\(report.text)")
        #expect(outside.severity == .error && outside.subject == "u2/braindrive_library")
        #expect(outside.message == "needs braindrive_chat ^1.0.0, but u2 has 2.0.0 installed")
        // The remedy names the newest catalog version the range accepts.
        #expect(outside.remedy?.hasPrefix("run `plugin-lifecycle update u2 braindrive_chat --version 1.0.0 --data-dir \(f.root)`, or ") == true,
                "\(report.text)")
        #expect(report.findings("dependency_out_of_range").count == 1 && report.exitCode == 1)
        #expect(report.findings("missing_dependency").isEmpty)
    }

    @Test func findsForeignKeyViolationsAndACorruptIndex() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        for user in ["u1", "u2", "u3", "u4"] { _ = try f.service.install(user: user, slug: "braindrive-network") }
        try f.service.database.checkpoint()
        // A row written by a connection with foreign keys off, as BrainDrive's backend did.
        var config = Configuration()
        config.foreignKeysEnabled = false
        let raw = try DatabaseQueue(path: f.root + "/lifecycle.sqlite", configuration: config)
        try raw.writeWithoutTransaction { db in
            try db.execute(sql: """
                INSERT INTO installed_file (plugin_id, path, size, sha256) VALUES ('ghost_plugin', 'x.js', 1, '00')
                """)
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        let (rootPage, pageSize) = try raw.read { db in
            (try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'plugin_on_plugin_slug'")!,
             try Int.fetchOne(db, sql: "PRAGMA page_size")!)
        }
        try raw.close()
        // Damage the index's only page: its entries no longer match the table (bytes on disk, as a bad sector would).
        let handle = try #require(FileHandle(forUpdatingAtPath: f.root + "/lifecycle.sqlite"))
        try handle.seek(toOffset: UInt64((rootPage - 1) * pageSize + pageSize - 200))
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 200))
        try handle.close()

        let report = Doctor(dataDirectory: f.root).run()
        #expect(report.exitCode == 1)
        let violation = try #require(report.findings("foreign_key_violation").first)
        #expect(violation.severity == .error && violation.message.contains("installed_file"))
        #expect(report.findings("integrity").contains { $0.severity == .error }, "\(report.text)")
        #expect(report.findings("integrity").first?.remedy?.contains("plugin-lifecycle restore") == true)
    }

    @Test func findsAWeakWorldReadableSecretAndAWorldWritableDirectory() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try Data("your-secret-key-here\n".utf8).write(to: URL(fileURLWithPath: f.root + "/jwt-secret"))
        chmod(f.root + "/jwt-secret", 0o644)
        chmod(f.root, 0o777)
        let report = Doctor(dataDirectory: f.root).run()
        #expect(report.findings("secret_world_readable").first?.severity == .error)
        #expect(report.findings("secret_weak").first?.severity == .error)
        #expect(report.findings("data_dir_world_writable").first?.remedy == "chmod 750 \(f.root)")
        #expect(report.exitCode == 1)
    }

    @Test func aMissingDataDirectoryIsAnErrorAndIsNotCreated() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        let nowhere = f.path("nowhere")
        let report = Doctor(dataDirectory: nowhere).run()
        #expect(report.findings.map(\.code) == ["data_dir_missing"])
        #expect(report.exitCode == 1)
        #expect(!FileManager.default.fileExists(atPath: nowhere))
    }

    @Test func reportsInvalidCatalogPackagesAsWarnings() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        try FileManager.default.createDirectory(atPath: f.root + "/catalog/broken/1.0.0", withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: f.root + "/catalog/broken/1.0.0/plugin.json"))
        let report = Doctor(dataDirectory: f.root).run()
        let invalid = try #require(report.findings("invalid_package").first)
        #expect(invalid.severity == .warning && invalid.subject?.hasPrefix("broken") == true)
        #expect(report.exitCode == 0)
    }
}
