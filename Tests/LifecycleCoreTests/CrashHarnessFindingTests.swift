import Foundation
import LifecycleCore
import StoreTestSupport
import LifecycleStore
import Testing

/// Regressions for what deploy/lib/faults/crash.py found by SIGKILLing real processes.
@Suite(.timeLimit(.minutes(10))) struct CrashHarnessFindingTests {
    func stagingRecord(_ f: Fixture, _ operationID: String, user: String, slug: String, operation: String) throws -> String {
        let staging = f.root + "/staging/" + operationID
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let record = ["operation_id": operationID, "user_id": user, "plugin_slug": slug, "operation": operation]
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: staging + "/operation.json"))
        return staging
    }

    /// An install killed after its swap left a folder with no row: `status` said not_installed
    /// but left the folder, the lease and the staging folder until some later operation.
    @Test(arguments: TestStore.all) func statusOfANotInstalledPluginRollsBackAnAbandonedInstall(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        try RecoveryTests().leaveUncommittedInstall(f, operationID: "deadbeef21")
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat").status == .notInstalled)
        #expect(!f.exists(f.pluginFolder("u1", "braindrive_chat")))
        #expect(try f.service.database.allLeases().isEmpty)
        #expect(f.stagingEntries().isEmpty)
    }

    /// A pool worker SIGKILLed mid-operation is a zombie until the master reaps it; its lease
    /// must count as abandoned at once, or a status right after the kill shows the uncommitted copy.
    @Test(arguments: TestStore.all) func aZombieOwnersLeaseIsAbandoned(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0)
        var reaped = false
        defer { if !reaped { var status: Int32 = 0; waitpid(pid, &status, 0) } }
        // Not reaped yet: wait until it has exited (state Z).
        var fields: [Substring] = []
        let deadline = Date().addingTimeInterval(10)
        repeat {
            usleep(10_000)
            let text = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            fields = text.split(separator: ")").last?.split(separator: " ") ?? []
        } while (fields.first != "Z") && Date() < deadline
        try #require(fields.first == "Z" && fields.count > 19)
        let zombie = "\(pid):\(fields[19])"

        // An uninstall killed after it moved the folder aside, before its commit.
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")
        try RecoveryTests().leave(f, lease: "deadbeef22", user: "u1", slug: "braindrive_chat", operation: "uninstall")
        try FileManager.default.moveItem(atPath: f.pluginFolder("u1", "braindrive_chat"), toPath: f.root + "/staging/deadbeef22/old")
        try f.execute("UPDATE operation_lease SET owner = '\(zombie)' WHERE operation_id = 'deadbeef22'")
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat", verify: .full).status == .healthy,
                "the zombie's uncommitted uninstall is rolled back")
        #expect(try f.service.database.allLeases().isEmpty)
        #expect(f.stagingEntries().isEmpty)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        reaped = true
    }

    /// A process killed after its commit, before removing its staging folder, leaves that folder
    /// without a lease. Once a later operation changed the row, the start-up sweep took the folder
    /// for an uncommitted operation and "restored" its old copy over the committed one.
    @Test(arguments: TestStore.all) func aStagingFolderLeftAfterACommitIsNeverRolledBackLater(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network", version: "1.0.0")
        let target = f.pluginFolder("u1", "braindrive_network")
        let staging = try stagingRecord(f, "deadbeef23", user: "u1", slug: "braindrive_network", operation: "update")
        try FileManager.default.copyItem(atPath: target, toPath: staging + "/old")
        _ = try f.service.update(user: UserID("u1"), slug: LifecycleService.slug("braindrive-network"),
                                 version: LifecycleService.version("1.1.0"), context: .cli)
        // The update above swept the leftover under its lease; leave it again for the master's sweep.
        if !FileManager.default.fileExists(atPath: staging) {
            _ = try stagingRecord(f, "deadbeef23", user: "u1", slug: "braindrive_network", operation: "update")
            try FileManager.default.copyItem(atPath: f.root + "/catalog/braindrive-network/1.0.0", toPath: staging + "/old")
        }
        try f.service.recoverInterruptedOperations()
        let status = try f.service.status(user: "u1", slug: "braindrive-network", verify: .full)
        #expect(status.version == "1.1.0" && status.status == .healthy, "\(status)")
        #expect(f.stagingEntries().isEmpty)
    }

    /// The same leftover is found by the next `status` of that plugin, not only at the next start of the pool.
    @Test(arguments: TestStore.all) func statusCleansAStagingFolderLeftByAProcessKilledAfterItsCommit(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")
        let committed = try #require(try f.service.database.installedPlugin(userID: "u1", slug: "braindrive_chat")).plugin.operationID
        _ = try stagingRecord(f, committed, user: "u1", slug: "braindrive_chat", operation: "install")
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat", verify: .full).status == .healthy)
        #expect(f.stagingEntries().isEmpty)
        #expect(try f.service.database.allLeases().isEmpty)
    }

    /// A process killed while removing a finished operation's staging folder, after its record
    /// went, left a folder nobody could attribute (only the pool's start-up sweep removed it). The
    /// folder is renamed `<id>.removing` first, and the next status of any plugin removes such folders.
    @Test(arguments: TestStore.all) func aHalfRemovedStagingFolderIsSweptByTheNextStatus(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        try FileManager.default.createDirectory(atPath: f.root + "/staging/deadbeef24.removing/old/dist", withIntermediateDirectories: true)
        #expect(try f.service.status(user: "u9", slug: "braindrive-chat").status == .notInstalled)
        #expect(f.stagingEntries().isEmpty)
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")
        #expect(f.stagingEntries().isEmpty, "an operation's own folder leaves nothing behind")
    }
}
