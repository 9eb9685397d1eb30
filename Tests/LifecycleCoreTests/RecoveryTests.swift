import Foundation
import LifecycleCore
import LifecycleStore
import PluginCatalog
import StoreTestSupport
import Testing

/// States a killed process leaves behind, built by hand; the integration tests make real ones with SIGKILL.
@Suite(.timeLimit(.minutes(10))) struct RecoveryTests {
    static let deadOwner = "999999999:1"

    func leave(_ f: Fixture, lease operationID: String, user: String, slug: String, operation: String) throws {
        let lease = OperationLease(userID: user, pluginSlug: slug, operationID: operationID, operation: operation,
                                   owner: Self.deadOwner, expiresAt: Date().timeIntervalSince1970 + 600)
        try f.insert(lease)
        let staging = f.root + "/staging/" + operationID
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let record = ["operation_id": operationID, "user_id": user, "plugin_slug": slug, "operation": operation]
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: staging + "/operation.json"))
    }

    /// An install killed after its folder was renamed into place, before the commit.
    func leaveUncommittedInstall(_ f: Fixture, operationID: String) throws {
        try leave(f, lease: operationID, user: "u1", slug: "braindrive_chat", operation: "install")
        let target = f.pluginFolder("u1", "braindrive_chat")
        try FileManager.default.createDirectory(atPath: target + "/dist", withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: URL(fileURLWithPath: target + "/dist/remoteEntry.js"))
        let metadata = ["operation_id": operationID, "plugin_id": "u1_braindrive_chat", "plugin_slug": "braindrive_chat",
                        "user_id": "u1", "version": "1.0.0", "installed_at": "x", "files": [:]] as [String: Any]
        try JSONSerialization.data(withJSONObject: metadata).write(to: URL(fileURLWithPath: target + "/plugin_metadata.json"))
    }

    @Test(arguments: TestStore.all) func startupRecoveryRemovesAnUncommittedInstall(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        try leaveUncommittedInstall(f, operationID: "deadbeef01")
        try f.service.recoverInterruptedOperations()
        #expect(!f.exists(f.pluginFolder("u1", "braindrive_chat")))
        #expect(f.stagingEntries().isEmpty)
        #expect(try f.service.database.allLeases().isEmpty)
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat").status == .notInstalled)
    }

    @Test(arguments: TestStore.all) func nextOperationTakesOverADeadOwnersLease(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        try leaveUncommittedInstall(f, operationID: "deadbeef02")
        let result = try f.service.install(user: "u1", slug: "braindrive-chat")
        #expect(result.version == "1.0.0")
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat", verify: .full).status == .healthy)
        #expect(f.stagingEntries().isEmpty)
    }

    @Test(arguments: TestStore.all) func liveOwnersLeaseIsInProgress(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        let me = "\(getpid()):" + (try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
            .split(separator: ")").last!.split(separator: " ")[19])
        let lease = OperationLease(userID: "u1", pluginSlug: "braindrive_chat", operationID: "live01", operation: "repair",
                                   owner: me, expiresAt: Date().timeIntervalSince1970 + 600)
        try f.insert(lease)
        #expect(throws: LifecycleError.operationInProgress(slug: "braindrive_chat", operation: "repair")) {
            try f.service.install(user: "u1", slug: "braindrive-chat")
        }
    }

    @Test(arguments: TestStore.all) func anUncommittedUninstallIsUndone(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")
        try leave(f, lease: "deadbeef03", user: "u1", slug: "braindrive_chat", operation: "uninstall")
        try FileManager.default.moveItem(atPath: f.pluginFolder("u1", "braindrive_chat"), toPath: f.root + "/staging/deadbeef03/old")
        // The status check finds the dead owner's lease and rolls its change back before answering.
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat", verify: .full).status == .healthy)
        #expect(try f.service.database.allLeases().isEmpty)
        #expect(f.stagingEntries().isEmpty)
    }

    @Test(arguments: TestStore.all) func anUncommittedRepairSwapIsUndone(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")
        try leave(f, lease: "deadbeef04", user: "u1", slug: "braindrive_chat", operation: "repair")
        let target = f.pluginFolder("u1", "braindrive_chat")
        try FileManager.default.moveItem(atPath: target, toPath: f.root + "/staging/deadbeef04/old")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["operation_id": "deadbeef04"])
            .write(to: URL(fileURLWithPath: target + "/plugin_metadata.json"))
        try f.service.recoverInterruptedOperations()
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat", verify: .full).status == .healthy)
        #expect(f.stagingEntries().isEmpty)
    }

    @Test(arguments: TestStore.all) func orphanStagingWithoutLeaseIsCleaned(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        try FileManager.default.createDirectory(atPath: f.root + "/staging/abandoned/new/dist", withIntermediateDirectories: true)
        try f.service.recoverInterruptedOperations()
        #expect(f.stagingEntries().isEmpty)
    }
}

@Suite(.timeLimit(.minutes(10))) struct ReviewRegressionTests {
    /// An update killed after the swap, on a copy whose own metadata file had been deleted: the
    /// rollback must not depend on that file.
    @Test(arguments: TestStore.all) func rollbackDoesNotNeedTheOldCopysMetadataFile(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network", version: "1.0.0")
        let target = f.pluginFolder("u1", "braindrive_network")
        try FileManager.default.removeItem(atPath: target + "/plugin_metadata.json")
        let lease = OperationLease(userID: "u1", pluginSlug: "braindrive_network", operationID: "deadbeef09", operation: "update",
                                   owner: RecoveryTests.deadOwner, expiresAt: Date().timeIntervalSince1970 + 600)
        try f.insert(lease)
        let staging = f.root + "/staging/deadbeef09"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: target, toPath: staging + "/old")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["operation_id": "deadbeef09", "version": "1.1.0"])
            .write(to: URL(fileURLWithPath: target + "/plugin_metadata.json"))
        try f.service.recoverInterruptedOperations()
        let status = try f.service.status(user: "u1", slug: "braindrive-network", verify: .full)
        #expect(status.version == "1.0.0" && status.files.missing == ["plugin_metadata.json"], "\(status)")
        #expect(FileManager.default.fileExists(atPath: target + "/dist/remoteEntry.js"), "the old copy is back")
        #expect(try f.service.repair(user: "u1", slug: "braindrive-network").newStatus == .healthy)
    }

    /// `{user_id}_{slug}` ids collide when user ids contain `_`: the second install must not take over the first.
    @Test(arguments: TestStore.all) func collidingPluginIdsNeverTouchAnotherUsersRow(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        try DependencyTests().publish(f, slug: "chat", version: "1.0.0", dependencies: [:])
        _ = try f.service.install(user: "u", slug: "braindrive-chat")
        #expect(throws: LifecycleError.pluginIDTaken(id: "u_braindrive_chat")) {
            try f.service.install(user: "u_braindrive", slug: "chat")
        }
        #expect(try f.service.status(user: "u", slug: "braindrive-chat", verify: .full).status == .healthy)
        #expect(throws: LifecycleError.notInstalled(slug: "chat")) {
            try f.service.setEnabled(false, user: UserID("u_braindrive"), slug: PluginSlug("chat"), context: .cli)
        }
        #expect(try f.service.installed(user: UserID("u")).installedPlugins.first?.enabled == true)
        #expect(!FileManager.default.fileExists(atPath: f.root + "/plugins/u_braindrive"))
    }
}
