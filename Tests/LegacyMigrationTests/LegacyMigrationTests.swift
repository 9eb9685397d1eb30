import Foundation
import GRDB
import LegacyMigration
import LifecycleCore
import LifecycleStore
import PluginCatalog
import Testing

@Suite(.timeLimit(.minutes(10))) struct LegacyMigrationTests {
    typealias F = LegacyFixture

    func entry(_ report: MigrationReport, _ user: String) -> MigrationReport.UserReport? {
        report.users.first { $0.userID == user }
    }

    @Test func dryRunChangesNothingAndReportsEverything() throws {
        let f = try F(); defer { f.remove() }
        let before = try f.legacySnapshot()
        let report = try f.migrator().run(options: .init(), service: nil)
        #expect(report.mode == .dryRun)
        #expect(!FileManager.default.fileExists(atPath: f.dataDir), "a dry run without a service creates nothing")

        let alice = try #require(entry(report, F.alice))
        #expect(alice.toMigrate.map(\.slug) == ["braindrive_chat", "braindrive_network", "braindrive_settings"])
        let chat = try #require(alice.toMigrate.first { $0.slug == "braindrive_chat" })
        #expect(chat.version == "1.0.29" && chat.sourceFolder == "shared/BrainDrive-Chat/v1.0.29")
        #expect(chat.modules == ["ComponentChat", "ComponentHistory"] && chat.fileCount == 2 && chat.fromInitializer)
        let network = try #require(alice.toMigrate.first { $0.slug == "braindrive_network" })
        #expect(network.sourceFolder == "braindrive_network" && !network.fromInitializer)
        let settings = try #require(alice.toMigrate.first { $0.slug == "braindrive_settings" })
        #expect(settings.modules == ["ComponentSettings"])
        #expect(settings.fileCount == 2, "package.json + dist/remoteEntry.js; no stale metadata, .metadata or symlink")
        #expect(Set(alice.skipped.map(\.legacySlug)) == ["braindrive_ghost", "braindrive_broken"])
        #expect(alice.migrated.isEmpty && alice.alreadyPresent.isEmpty)

        let bob = try #require(entry(report, F.bob))
        #expect(bob.toMigrate.map(\.slug) == ["braindrive_chat", "braindrive_settings"])
        #expect(bob.toMigrate[0].sourceFolder == "shared/BrainDrive-Chat/v1.0.9" && !bob.toMigrate[0].fromInitializer)
        #expect(bob.toMigrate[1].legacySlug == "BrainDrive-Settings" && bob.toMigrate[1].fromInitializer)

        let bad = try #require(entry(report, "not-a-user!"))
        #expect(bad.toMigrate.isEmpty && bad.skipped.count == 1)

        let kinds = Set(report.defects.map(\.kind))
        for kind: MigrationReport.Defect.Kind in [.orphanModule, .missingFolder, .slugSpelling, .versionOrder, .invalidUserID,
                                                  .invalidModuleName, .invalidVersion, .skippedFile, .unownedReferences] {
            #expect(kinds.contains(kind), "missing defect \(kind)")
        }
        #expect(report.defects.contains { $0.kind == .orphanModule && $0.pluginID == "\(F.gone)_braindrive_chat" })
        #expect(report.defects.contains { $0.kind == .missingFolder && $0.detail.contains("2.0.0") && $0.detail.contains("v1.0.0") })
        #expect(report.defects.contains { $0.kind == .slugSpelling && $0.detail.contains("BrainDrive-Chat") })
        #expect(report.totals.toMigrate == 5 && report.totals.users == 3 && report.totals.pluginRows == 8)

        // With a (fresh) service a dry run still writes no rows and no user folders.
        let service = try f.service()
        let again = try f.migrator().run(options: .init(), service: service)
        #expect(again.totals.toMigrate == 5 && again.totals.alreadyPresent == 0)
        for user in [F.alice, F.bob] {
            #expect(try service.database.plugins(userID: user).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: f.dataDir + "/plugins/" + user))
        }
        #expect(try f.legacySnapshot() == before)
        #expect(report.text.contains("Dry run") && report.text.contains("orphan_module"))
    }

    @Test func applyMigratesHealthyCopiesAndSecondApplyMigratesNothingNew() throws {
        let f = try F(); defer { f.remove() }
        let before = try f.legacySnapshot()
        let service = try f.service()
        let report = try f.migrator().run(options: .init(apply: true), service: service)
        #expect(report.totals.migrated == 5 && report.totals.failed == 0, "\(report.text)")

        let expected: [(String, String, [String])] = [
            (F.alice, "braindrive_chat", ["ComponentChat", "ComponentHistory"]),
            (F.alice, "braindrive_network", ["ComponentNetworkStatus"]),
            (F.alice, "braindrive_settings", ["ComponentSettings"]),
            (F.bob, "braindrive_chat", ["ComponentChat"]),
            (F.bob, "braindrive_settings", ["ComponentSettings"]),
        ]
        for (user, slug, modules) in expected {
            let status = try service.status(user: try UserID(user), slug: try PluginSlug(slug), verify: .full)
            #expect(status.status == .healthy, "\(user) \(slug): \(status)")
            let installed = try #require(try service.database.installedPlugin(userID: user, slug: slug))
            #expect(installed.modules.map(\.name).sorted() == modules)
            #expect(installed.modules.allSatisfy { $0.id == "\(user)_\(slug)_\($0.name)" })
            #expect(installed.files.allSatisfy { $0.sha256.count == 64 })
        }
        let settings = try #require(try service.database.installedPlugin(userID: F.alice, slug: "braindrive_settings"))
        let module = try #require(settings.modules.first)
        #expect(module.props == #"{"theme":"dark"}"# && module.layout == #"{"minWidth":4}"#)
        #expect(settings.plugin.bundleLocation == "dist/remoteEntry.js" && settings.plugin.version == "1.0.0")
        let network = try #require(try service.database.installedPlugin(userID: F.alice, slug: "braindrive_network"))
        #expect(network.plugin.manifestJSON.contains("braindrive_chat"), "dependencies recorded canonically")

        // Each user got the row's version, as a real copy (not a link) in their own folder.
        let alicechat = f.dataDir + "/plugins/\(F.alice)/braindrive_chat/dist/remoteEntry.js"
        let bobchat = f.dataDir + "/plugins/\(F.bob)/braindrive_chat/dist/remoteEntry.js"
        #expect(try String(contentsOfFile: alicechat, encoding: .utf8) == "chat 1.0.29")
        #expect(try String(contentsOfFile: bobchat, encoding: .utf8) == "chat 1.0.9")
        var copy = stat(), source = stat()
        #expect(lstat(alicechat, &copy) == 0 && lstat(f.pluginsDir + "/shared/BrainDrive-Chat/v1.0.29/dist/remoteEntry.js", &source) == 0)
        #expect((copy.st_mode & S_IFMT) == S_IFREG && copy.st_nlink == 1 && copy.st_ino != source.st_ino)
        let settingsFolder = f.dataDir + "/plugins/\(F.alice)/braindrive_settings"
        #expect(!FileManager.default.fileExists(atPath: settingsFolder + "/.metadata"))
        #expect(!FileManager.default.fileExists(atPath: settingsFolder + "/dist/link.js"))
        #expect(try !String(contentsOfFile: settingsFolder + "/plugin_metadata.json", encoding: .utf8).contains("stale"))
        let audit = try service.database.auditEvents(userID: F.alice, limit: 10, before: nil)
        #expect(audit.count == 3 && audit.allSatisfy { $0.action == "migrate" })

        // Second apply: nothing new; a dry run now says "already present".
        let second = try f.migrator().run(options: .init(apply: true), service: service)
        #expect(second.totals.migrated == 0 && second.totals.alreadyPresent == 5 && second.totals.failed == 0)
        #expect(try service.database.auditEvents(userID: F.alice, limit: 10, before: nil).count == 3)
        let dry = try f.migrator().run(options: .init(), service: service)
        #expect(dry.totals.toMigrate == 0 && dry.totals.alreadyPresent == 5)

        #expect(try f.legacySnapshot() == before, "the legacy database and folder are byte-identical")
    }

    @Test func dropInitializerPluginsSkipsThemAndKeepsUserInstalls() throws {
        let f = try F(); defer { f.remove() }
        let service = try f.service()
        let report = try f.migrator().run(options: .init(apply: true, dropInitializerPlugins: true), service: service)
        let alice = try #require(entry(report, F.alice))
        #expect(alice.migrated.map(\.slug) == ["braindrive_network"])
        #expect(alice.skipped.contains { $0.legacySlug == "braindrive_chat" && $0.reason.contains("initializer") })
        #expect(alice.skipped.contains { $0.legacySlug == "braindrive_settings" && $0.reason.contains("initializer") })
        let bob = try #require(entry(report, F.bob))
        #expect(bob.migrated.map(\.slug) == ["braindrive_chat"], "bob installed chat himself (remote metadata)")
        #expect(bob.skipped.map(\.legacySlug) == ["BrainDrive-Settings"])
        #expect(try service.database.installedPlugin(userID: F.alice, slug: "braindrive_chat") == nil)
        #expect(try service.database.installedPlugin(userID: F.bob, slug: "braindrive_settings") == nil)
        #expect(report.dropInitializerPlugins && report.totals.migrated == 2)
    }

    @Test func reportRoundTripsAsJSON() throws {
        let f = try F(); defer { f.remove() }
        let report = try f.migrator().run(options: .init(), service: nil)
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(MigrationReport.self, from: data) == report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["mode"] as? String == "dry_run" && object["defects"] is [Any] && object["totals"] is [String: Any])
    }

    @Test func missingOrForeignDatabaseIsAnError() throws {
        let f = try F(); defer { f.remove() }
        #expect(throws: LegacyMigrationError.self) {
            try LegacyMigrator(legacyDatabase: f.root + "/nope.db", pluginsDirectory: f.pluginsDir).run(options: .init(), service: nil)
        }
        #expect(throws: LegacyMigrationError.self) {
            try f.migrator().run(options: .init(apply: true), service: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: f.root + "/nope.db"), "a missing database is not created")
    }

    @Test func twoSpellingsOfOneSlugForOneUserMigrateOnce() throws {
        let f = try F(); defer { f.remove() }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: f.legacyDB, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO plugin (id, user_id, plugin_slug, name, description, version)
                VALUES (?, ?, 'BrainDrive-Chat', 'Chat', 'again', '1.0.9')
                """, arguments: ["\(F.bob)_BrainDrive-Chat", F.bob])
        }
        try queue.close()
        let service = try f.service()
        let report = try f.migrator().run(options: .init(apply: true), service: service)
        let bob = try #require(entry(report, F.bob))
        #expect(bob.migrated.map(\.slug) == ["braindrive_chat", "braindrive_settings"])
        #expect(bob.skipped.map(\.legacySlug) == ["BrainDrive-Chat"], "the non-canonical spelling is reported, not migrated")
        #expect(bob.migrated.first?.modules == ["ComponentChat"], "the canonical row, with its modules, wins")
        #expect(report.defects.contains { $0.kind == .duplicatePlugin && $0.userID == F.bob })
    }
}
