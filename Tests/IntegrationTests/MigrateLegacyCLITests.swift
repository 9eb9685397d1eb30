import Foundation
import Testing

/// `migrate-legacy` as an operator runs it: the real binary on a BrainDrive-shaped installation
/// (its real slugs, a WAL database with rows still in the -wal, a switched-off plugin and module,
/// node_modules in a plugin folder), then the installs seen by `status`, `available` and `update`.
@Suite(.timeLimit(.minutes(10))) struct MigrateLegacyCLITests {
    static let user = "0123456789abcdef0123456789abcdef"

    /// BrainDrive's tables (the columns the migration reads) in WAL mode, written by Python's
    /// sqlite3 (as BrainDrive's SQLAlchemy does) and copied while its connection is still open,
    /// so the last rows exist only in `braindrive.db-wal`, as on a live server.
    func makeBrainDrive(_ base: String) throws -> (db: String, plugins: String) {
        let plugins = base + "/braindrive/plugins"
        for (path, text) in [("shared/BrainDriveChat/v1.0.0/dist/remoteEntry.js", "legacy chat"),
                             ("shared/BrainDriveChat/v1.0.0/package.json", #"{"name":"chat"}"#),
                             ("shared/BrainDriveChat/v1.0.0/node_modules/react/index.js", "not the package"),
                             ("shared/BrainDriveChat/v1.0.0/package-lock.json", "{}"),
                             ("shared/BrainDriveNetwork/v1.0.0/dist/remoteEntry.js", "legacy network"),
                             ("shared/BrainDriveNetwork/v1.0.0/.git/HEAD", "ref: refs/heads/main")] {
            let file = plugins + "/" + path
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        }
        let script = """
            import shutil, sqlite3, sys
            live, target, user = sys.argv[1], sys.argv[2], sys.argv[3]
            db = sqlite3.connect(live, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA wal_autocheckpoint=0")
            db.executescript('''
              CREATE TABLE plugin (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, plugin_slug TEXT NOT NULL, name TEXT NOT NULL,
                description TEXT NOT NULL, version TEXT NOT NULL, enabled BOOLEAN, author TEXT, scope TEXT,
                bundle_location TEXT, dependencies TEXT, UNIQUE(user_id, plugin_slug));
              CREATE TABLE module (id TEXT NOT NULL, plugin_id TEXT NOT NULL, name TEXT NOT NULL, display_name TEXT,
                enabled BOOLEAN, priority INTEGER, user_id TEXT NOT NULL, PRIMARY KEY (id, plugin_id));
            ''')
            def plugin(slug, enabled):
                db.execute("INSERT INTO plugin VALUES (?, ?, ?, ?, 'legacy', '1.0.0', ?, 'BrainDrive', ?, 'dist/remoteEntry.js', '{}')",
                           (user + "_" + slug, user, slug, slug, enabled, slug))
            def module(slug, name, enabled):
                db.execute("INSERT INTO module VALUES (?, ?, ?, ?, ?, 1, ?)",
                           (user + "_" + slug + "_" + name, user + "_" + slug, name, name, enabled, user))
            plugin("BrainDriveChat", 1)
            module("BrainDriveChat", "ComponentChat", 1)
            module("BrainDriveChat", "ComponentHistory", 0)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            plugin("BrainDriveNetwork", 0)
            module("BrainDriveNetwork", "ComponentNetworkStatus", None)
            shutil.copyfile(live, target)
            shutil.copyfile(live + "-wal", target + "-wal")
            db.close()
            """
        let db = base + "/braindrive/braindrive.db"
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, base + "/live.db", db, Self.user]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0, "python3 made the BrainDrive database")
        return (db, plugins)
    }

    /// The JSON object a command printed (compact or pretty), after any other line.
    func json(_ output: String) -> [String: Any] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        for start in lines.indices where lines[start].hasPrefix("{") {
            let text = lines[start...].joined(separator: "\n")
            if let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] { return object }
        }
        return [:]
    }

    func totals(_ output: String) -> [String: Int] { json(output)["totals"] as? [String: Int] ?? [:] }

    @Test func dryRunApplyAndApplyAgainOnABrainDriveShapedInstallation() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lc-migrate-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let (db, plugins) = try makeBrainDrive(base)
        let dir = base + "/data"
        #expect(try Stack.run(["init", "--data-dir", dir, "--sample-catalog", Stack.repository + "/deploy/catalog"]).status == 0)
        let legacyFolder = (db as NSString).deletingLastPathComponent
        let legacyFiles = try FileManager.default.contentsOfDirectory(atPath: legacyFolder).sorted()
        #expect(legacyFiles == ["braindrive.db", "braindrive.db-wal", "plugins"])
        let migrate = ["migrate-legacy", "--from", db, "--plugins-dir", plugins, "--data-dir", dir]

        // Dry run: the mappings and the switched-off state shown, nothing written, nothing beside the database.
        let dry = try Stack.run(migrate)
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.output.contains("BrainDriveChat → braindrive_chat (legacy_slugs)") && dry.output.contains("[disabled modules: ComponentHistory]"))
        #expect(dry.output.contains("BrainDriveNetwork → braindrive_network (legacy_slugs)") && dry.output.contains("[disabled]"), "\(dry.output)")
        #expect(dry.output.contains("(2 files, 2 modules)"), "no node_modules or package-lock.json: \(dry.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: legacyFolder).sorted() == legacyFiles)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/plugins").isEmpty)

        let applied = try Stack.run(migrate + ["--apply", "--json"])
        #expect(applied.status == 0, "\(applied.output)")
        #expect(totals(applied.output)["migrated"] == 2 && totals(applied.output)["failed"] == 0, "\(applied.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: legacyFolder).sorted() == legacyFiles)

        let again = try Stack.run(migrate + ["--apply", "--json"])
        #expect(again.status == 0 && totals(again.output)["migrated"] == 0 && totals(again.output)["already_present"] == 2, "\(again.output)")

        // The installs are the catalog's plugins: status, available, update all know them.
        let status = json(try Stack.run(["status", Self.user, "braindrive_chat", "--full", "--json", "--data-dir", dir]).output)
        #expect(status["status"] as? String == "healthy", "\(status)")
        let folder = dir + "/plugins/\(Self.user)"
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["braindrive_chat", "braindrive_network"])
        #expect(!FileManager.default.fileExists(atPath: folder + "/braindrive_chat/node_modules"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/braindrive_network/.git"))
        let available = json(try Stack.run(["available", "--user", Self.user, "--json", "--data-dir", dir]).output)
        let list = available["available_plugins"] as? [String: [String: Any]] ?? [:]
        #expect(list["braindrive_chat"]?["installed"] as? Bool == true && list["braindrivechat"] == nil, "\(available)")
        #expect(list["braindrive_network"]?["installed_version"] as? String == "1.0.0")
        let update = try Stack.run(["update", Self.user, "braindrive_network", "--data-dir", dir])
        #expect(update.status == 0, "\(update.output)")

        let installed = json(try Stack.run(["status", Self.user, "braindrive_network", "--json", "--data-dir", dir]).output)
        #expect(installed["version"] as? String == "1.1.0" && installed["enabled"] as? Bool == false, "\(installed)")

        // A plugins folder that does not exist is an error, not a run where every row is skipped.
        let missing = try Stack.run(["migrate-legacy", "--from", db, "--plugins-dir", base + "/nowhere", "--data-dir", dir])
        #expect(missing.status != 0 && missing.output.contains("does not exist"), "\(missing.output)")
    }
}
