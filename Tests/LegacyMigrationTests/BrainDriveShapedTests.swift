import Foundation
import GRDB
import LegacyMigration
import LifecycleCore
import LifecycleStore
import PluginCatalog
import Testing

/// Migration of data shaped like a real BrainDrive's: slugs as its lifecycle managers spell them
/// (`BrainDriveChat`), switched-off rows, build leftovers in the plugin folders, a WAL database.
@Suite(.timeLimit(.minutes(10))) struct BrainDriveShapedTests {
    typealias F = LegacyFixture
    static let carol = "0000aaaa1111bbbb2222cccc3333dddd"
    static let context = OperationContext(actor: "test")

    /// Carol has BrainDriveChat and BrainDriveNetwork 1.0.0 in BrainDrive's real layout; the catalog is the sample one.
    func fixture() throws -> F {
        let f = try F()
        try f.copySampleCatalog()
        try f.write("shared/BrainDriveChat/v1.0.0/dist/remoteEntry.js", "legacy chat")
        try f.write("shared/BrainDriveChat/v1.0.0/package.json", #"{"name":"chat"}"#)
        try f.write("shared/BrainDriveNetwork/v1.0.0/dist/remoteEntry.js", "legacy network")
        try f.addRows { db in
            try F.plugin(db, Self.carol, "BrainDriveChat", "1.0.0")
            try F.module(db, Self.carol, "BrainDriveChat", "ComponentChat")
            try F.plugin(db, Self.carol, "BrainDriveNetwork", "1.0.0", deps: #"{"BrainDriveChat": "^1.0.0"}"#)
            try F.module(db, Self.carol, "BrainDriveNetwork", "ComponentNetworkStatus")
        }
        return f
    }

    @Test func realSlugsMapToTheCatalogPackagesThatListThem() throws {
        let f = try fixture(); defer { f.remove() }
        let service = try f.service()
        let report = try f.migrator().run(options: .init(apply: true), service: service)
        #expect(report.totals.failed == 0, "\(report.text)")
        #expect(report.text.contains("BrainDriveChat → braindrive_chat (legacy_slugs)"), "\(report.text)")
        #expect(report.text.contains("BrainDriveNetwork → braindrive_network (legacy_slugs)"))

        let carol = try UserID(Self.carol)
        let chat = try PluginSlug("braindrive_chat"), network = try PluginSlug("braindrive_network")
        #expect(try service.status(user: carol, slug: chat, verify: .full).status == .healthy)
        #expect(try service.status(user: carol, slug: network, verify: .full).status == .healthy)
        let installed = try #require(try service.database.installedPlugin(userID: Self.carol, slug: "braindrive_network"))
        #expect(installed.plugin.manifestJSON.contains("\"braindrive_chat\""), "the dependency maps through legacy_slugs too")

        // `available` lists the catalog's Chat as installed, and nothing else names it.
        let available = try service.available(for: carol).availablePlugins
        #expect(available["braindrive_chat"]?.installed == true && available["braindrive_chat"]?.installedVersion == "1.0.0")
        #expect(available["braindrivechat"] == nil && available.count == 4)
        #expect(try service.installed(user: carol).installedPlugins.map(\.pluginSlug).sorted() == ["braindrive_chat", "braindrive_network"])
        #expect(throws: LifecycleError.self, "no second Chat beside the migrated one") {
            try service.install(user: carol, slug: chat, version: nil, context: Self.context)
        }

        // Repair puts the catalog's files back; update moves to the catalog's newer version.
        try Data("changed".utf8).write(to: URL(fileURLWithPath: f.dataDir + "/plugins/\(Self.carol)/braindrive_chat/dist/remoteEntry.js"))
        #expect(try service.status(user: carol, slug: chat, verify: .full).status == .filesModified)
        _ = try service.repair(user: carol, slug: chat, context: Self.context)
        #expect(try service.status(user: carol, slug: chat, verify: .full).status == .healthy)
        #expect(try service.updates(user: carol).availableUpdates.map(\.pluginSlug) == ["braindrive_network"])
        _ = try service.update(user: carol, slug: network, version: nil, context: Self.context)
        #expect(try service.database.installedPlugin(userID: Self.carol, slug: "braindrive_network")?.plugin.version == "1.1.0")
    }

    @Test func dropInitializerPluginsDropsTheRealSlugs() throws {
        let f = try fixture(); defer { f.remove() }
        try f.write("shared/BrainDriveSettings/v1.0.0/dist/remoteEntry.js", "legacy settings")
        try f.write("shared/BrainDriveLibraryPlugin/v1.0.0/dist/remoteEntry.js", "legacy library")
        try f.addRows { db in
            for slug in ["BrainDriveSettings", "BrainDriveLibraryPlugin"] {
                try F.plugin(db, Self.carol, slug, "1.0.0")
                try F.module(db, Self.carol, slug, "Component")
            }
        }
        let service = try f.service()
        let report = try f.migrator().run(options: .init(apply: true, dropInitializerPlugins: true), service: service)
        let carol = try #require(report.users.first { $0.userID == Self.carol })
        #expect(carol.migrated.map(\.slug) == ["braindrive_network"], "\(report.text)")
        #expect(Set(carol.skipped.filter { $0.reason.contains("initializer") }.map(\.legacySlug))
                == ["BrainDriveChat", "BrainDriveSettings", "BrainDriveLibraryPlugin"])
    }

    @Test func disabledPluginAndModuleRowsMigrateDisabled() throws {
        let f = try fixture(); defer { f.remove() }
        try f.addRows { db in
            try db.execute(sql: "UPDATE plugin SET enabled = 0 WHERE id = ?", arguments: ["\(Self.carol)_BrainDriveNetwork"])
            try F.module(db, Self.carol, "BrainDriveChat", "ComponentHistory", priority: 2, enabled: 0)
        }
        let service = try f.service()
        let report = try f.migrator().run(options: .init(apply: true), service: service)
        #expect(report.users.first { $0.userID == Self.carol }?.migrated.count == 2 && report.totals.failed == 0, "\(report.text)")
        let network = try #require(try service.database.installedPlugin(userID: Self.carol, slug: "braindrive_network"))
        #expect(!network.plugin.enabled && network.modules.allSatisfy(\.enabled))
        let chat = try #require(try service.database.installedPlugin(userID: Self.carol, slug: "braindrive_chat"))
        #expect(chat.plugin.enabled)
        #expect(chat.modules.map { "\($0.name)=\($0.enabled)" }.sorted() == ["ComponentChat=true", "ComponentHistory=false"])
    }

    @Test func onlyThePackageIsCopied() throws {
        let f = try fixture(); defer { f.remove() }
        for junk in ["node_modules/react/index.js", ".git/HEAD", "src/__pycache__/x.cpython-311.pyc", "lib/helper.pyc",
                     "package-lock.json", "src/node_modules/deep.js"] {
            try f.write("shared/BrainDriveChat/v1.0.0/" + junk, "not the package")
        }
        let service = try f.service()
        let report = try f.migrator().run(options: .init(apply: true), service: service)
        let chat = try #require(report.users.first { $0.userID == Self.carol }?.migrated.first { $0.slug == "braindrive_chat" })
        #expect(chat.fileCount == 2, "dist/remoteEntry.js and package.json only")
        let installed = try #require(try service.database.installedPlugin(userID: Self.carol, slug: "braindrive_chat"))
        #expect(installed.files.map(\.path).sorted() == ["dist/remoteEntry.js", "package.json", "plugin_metadata.json"])
        let folder = f.dataDir + "/plugins/\(Self.carol)/braindrive_chat"
        for absent in ["node_modules", ".git", "src", "lib", "package-lock.json"] {
            #expect(!FileManager.default.fileExists(atPath: folder + "/" + absent), "\(absent) copied")
        }
    }

    @Test func dryRunOnAWALDatabaseReadsTheWALAndCreatesNothingBesideIt() throws {
        let f = try fixture(); defer { f.remove() }
        // A running BrainDrive: WAL mode, the latest rows only in the -wal (never checkpointed).
        // The files are copied while its connection is open, as they are on disk at that moment.
        let live = f.root + "/live"
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: f.legacyDB, toPath: live + "/braindrive.db")
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: live + "/braindrive.db", configuration: configuration)
        try queue.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try F.plugin(db, Self.carol, "BrainDriveSettings", "1.0.0")
        }
        try FileManager.default.removeItem(atPath: f.legacyDB)
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: live + "/braindrive.db" + suffix, toPath: f.legacyDB + suffix)
        }
        try queue.close()
        let folder = (f.legacyDB as NSString).deletingLastPathComponent
        let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(before.contains("braindrive.db-wal") && !before.contains("braindrive.db-shm"))
        let snapshot = try f.legacySnapshot()

        let report = try f.migrator().run(options: .init(), service: try f.service())
        #expect(report.users.first { $0.userID == Self.carol }?.toMigrate.contains { $0.legacySlug == "BrainDriveSettings" } == true,
                "the row only in the -wal is read: \(report.text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == before, "no -shm or other file appears")
        #expect(try f.legacySnapshot() == snapshot)
    }

    @Test func aMissingPluginsFolderIsAnError() throws {
        let f = try fixture(); defer { f.remove() }
        #expect(throws: LegacyMigrationError.self) {
            try LegacyMigrator(legacyDatabase: f.legacyDB, pluginsDirectory: f.root + "/no-such-plugins").run(options: .init(), service: nil)
        }
    }

    @Test func unexpectedIDsAndOtherInstalledVersionsAreDefects() throws {
        let f = try fixture(); defer { f.remove() }
        try f.write("shared/BrainDriveSettings/v1.0.0/dist/remoteEntry.js", "legacy settings")
        try f.addRows { db in
            try F.plugin(db, Self.carol, "BrainDriveSettings", "1.0.0", id: "legacy-settings-7")
            try F.module(db, Self.carol, "BrainDriveSettings", "ComponentSettings", pluginID: "legacy-settings-7")
        }
        let service = try f.service()
        _ = try service.install(user: try UserID(Self.carol), slug: try PluginSlug("braindrive_network"),
                                version: try SemanticVersion(parsing: "1.1.0"), context: Self.context)
        let report = try f.migrator().run(options: .init(apply: true), service: service)
        let idDefect = try #require(report.defects.first { $0.kind.rawValue == "unexpected_plugin_id" })
        #expect(idDefect.pluginID == "legacy-settings-7" && idDefect.detail.contains("\(Self.carol)_BrainDriveSettings"))
        let settings = try #require(try service.database.installedPlugin(userID: Self.carol, slug: "braindrive_settings"))
        #expect(settings.modules.map(\.name) == ["ComponentSettings"], "modules follow the row's own id")
        let versions = try #require(report.defects.first { $0.kind.rawValue == "version_conflict" }, "\(report.text)")
        #expect(versions.detail.contains("1.1.0") && versions.detail.contains("1.0.0") && versions.userID == Self.carol)
        #expect(try service.database.installedPlugin(userID: Self.carol, slug: "braindrive_network")?.plugin.version == "1.1.0")
    }

    @Test func legacySlugsAreValidatedWhenTheCatalogLoads() throws {
        let f = try fixture(); defer { f.remove() }
        let manifest = f.catalogDir + "/braindrive-chat/1.0.0/plugin.json"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        for (bad, field) in [(#"["BrainDrive/Chat"]"#, "legacy_slugs[0]"), (#"["BrainDriveChat", "braindrivechat"]"#, "legacy_slugs[1]"),
                             (#""BrainDriveChat""#, "legacy_slugs"), (#"[7]"#, "legacy_slugs[0]")] {
            let edited = text.replacingOccurrences(of: #""legacy_slugs": ["BrainDriveChat"]"#, with: #""legacy_slugs": "# + bad)
            #expect(edited != text)
            try Data(edited.utf8).write(to: URL(fileURLWithPath: manifest))
            do {
                _ = try CatalogIndex.validatePackage(at: URL(fileURLWithPath: (manifest as NSString).deletingLastPathComponent),
                                                     expectedSlug: nil, expectedVersion: nil)
                Issue.record("\(bad) accepted")
            } catch {
                guard case .invalidPackage(let problem) = error else { Issue.record("\(error)"); continue }
                #expect(problem.field == field, "\(bad): \(problem)")
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: manifest))
        }
    }
}
