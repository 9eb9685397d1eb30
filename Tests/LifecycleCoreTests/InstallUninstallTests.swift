import Foundation
import LifecycleCore
import LifecycleStore
import StoreTestSupport
import Testing

@Suite(.timeLimit(.minutes(10))) struct InstallUninstallTests {
    @Test(arguments: TestStore.all) func installCopiesFilesRecordsRowsAndIsHealthy(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        let result = try f.service.install(user: "user123", slug: "braindrive-network")
        #expect(result.pluginID == "user123_braindrive_network")
        #expect(result.pluginSlug == "braindrive_network")
        #expect(result.version == "1.1.0")
        #expect(result.modulesCreated.contains("user123_braindrive_network_ComponentNetworkStatus"))
        #expect(result.pluginDirectory == "plugins/user123/braindrive_network")

        let folder = f.pluginFolder("user123", "braindrive_network")
        let entry = folder + "/dist/remoteEntry.js"
        var st = stat()
        #expect(lstat(entry, &st) == 0)
        #expect((st.st_mode & S_IFMT) == S_IFREG, "copied, never linked")
        #expect(st.st_mode & 0o7777 == 0o644)
        #expect(lstat(folder + "/dist", &st) == 0 && st.st_mode & 0o7777 == 0o755)
        let metadata = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/plugin_metadata.json"))) as! [String: Any]
        #expect(metadata["plugin_id"] as? String == "user123_braindrive_network")
        #expect(metadata["user_id"] as? String == "user123")
        #expect(metadata["version"] as? String == "1.1.0")
        #expect((metadata["files"] as? [String: String])?["dist/remoteEntry.js"]?.count == 64)

        let installed = try #require(try f.service.database.installedPlugin(userID: "user123", slug: "braindrive_network"))
        #expect(installed.modules.count == 2)
        #expect(installed.files.contains { $0.path == "dist/remoteEntry.js" && $0.sha256.count == 64 })
        #expect(try f.service.status(user: "user123", slug: "braindrive-network", verify: .full).status == .healthy)
        #expect(f.stagingEntries().isEmpty)
    }

    @Test(arguments: TestStore.all) func installNamedVersion(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        let result = try f.service.install(user: "u1", slug: "BrainDrive_Network", version: "1.0.0")
        #expect(result.version == "1.0.0")
        #expect(result.modulesCreated == ["u1_braindrive_network_ComponentNetworkStatus"])
        #expect(throws: LifecycleError.versionNotFound(slug: "braindrive_network", version: "9.9.9")) {
            try f.service.install(user: "u2", slug: "braindrive-network", version: "9.9.9")
        }
        #expect(throws: LifecycleError.invalidVersion("1.0")) {
            try f.service.install(user: "u2", slug: "braindrive-network", version: "1.0")
        }
    }

    @Test(arguments: TestStore.all) func usersAreIsolated(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "alice", slug: "braindrive-network")
        let bob = try f.service.status(user: "bob", slug: "braindrive-network")
        #expect(bob.status == .notInstalled && !bob.exists)
        #expect(throws: LifecycleError.notInstalled(slug: "braindrive_network")) {
            try f.service.uninstall(user: "bob", slug: "braindrive-network")
        }
        #expect(try f.service.available(for: UserID("bob")).availablePlugins["braindrive_network"]?.installed == false)
        #expect(try f.service.available(for: UserID("alice")).availablePlugins["braindrive_network"]?.installedVersion == "1.1.0")
        #expect(try f.service.status(user: "alice", slug: "braindrive-network").status == .healthy)
        #expect(!f.exists(f.root + "/plugins/bob"))
    }

    @Test(arguments: TestStore.all) func installTwiceIsAConflictNamingTheVersion(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")
        #expect(throws: LifecycleError.alreadyInstalled(slug: "braindrive_chat", version: "1.0.0")) {
            try f.service.install(user: "u1", slug: "braindrive_chat")
        }
    }

    @Test(arguments: TestStore.all) func uninstallLeavesNothingBehindButTheAudit(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        let result = try f.service.uninstall(user: "u1", slug: "braindrive-network")
        #expect(result.deletedModules.count == 2)
        #expect(result.uninstalled == ["braindrive_network"])
        #expect(!f.exists(f.pluginFolder("u1", "braindrive_network")))
        #expect(!f.exists(f.root + "/plugins/u1"), "the empty user folder goes too")
        let counts = try ["plugin", "module", "installed_file", "operation_lease"].map { try f.integer("SELECT count(*) FROM \($0)") }
        #expect(counts == [0, 0, 0, 0])
        let events = try f.service.database.auditEvents(userID: "u1", limit: 10, before: nil)
        #expect(events.map(\.action) == ["uninstall", "install"])
        #expect(f.stagingEntries().isEmpty)
    }

    @Test(arguments: TestStore.all) func unknownAndInvalidSlugs(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        #expect(throws: LifecycleError.pluginNotFound(slug: "nope")) { try f.service.install(user: "u1", slug: "nope") }
        #expect(throws: LifecycleError.pluginNotFound(slug: "nope")) { try f.service.status(user: "u1", slug: "nope") }
        for bad in ["..", "a/b", "", "-x", "a\u{0}b", String(repeating: "a", count: 65)] {
            #expect(throws: LifecycleError.invalidSlug(bad)) { try f.service.install(user: "u1", slug: bad) }
        }
        #expect(throws: LifecycleError.invalidUserID("../x")) { try f.service.install(user: "../x", slug: "braindrive-chat") }
    }

    @Test(arguments: TestStore.all) func dependencyInUseRefusesUninstall(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")
        _ = try f.service.install(user: "u1", slug: "braindrive-library")
        #expect(throws: LifecycleError.dependencyInUse(slug: "braindrive_chat", dependents: ["braindrive_library"])) {
            try f.service.uninstall(user: "u1", slug: "braindrive-chat")
        }
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat").status == .healthy)
    }

    @Test(arguments: TestStore.all) func concurrentInstallsOfOnePluginHaveExactlyOneWinner(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                _ = try f.service.install(user: "racer", slug: "braindrive-network")
                outcomes.add("installed")
            } catch let error as LifecycleError {
                switch error {
                case .alreadyInstalled, .operationInProgress: outcomes.add("refused")
                default: outcomes.add("unexpected \(error)")
                }
            } catch { outcomes.add("unexpected \(error)") }
        }
        #expect(outcomes.all.filter { $0 == "installed" }.count == 1)
        #expect(outcomes.all.filter { $0 == "refused" }.count == 7)
        #expect(try f.service.status(user: "racer", slug: "braindrive-network", verify: .full).status == .healthy)
        #expect(f.stagingEntries().isEmpty)
    }
}

final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    func add(_ value: String) { lock.lock(); values.append(value); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return values }
}
