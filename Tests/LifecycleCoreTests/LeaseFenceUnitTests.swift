import Foundation
@testable import LifecycleCore
@testable import LifecycleStore
import Logging
import StoreTestSupport
import Testing

/// Leases across hosts, in one process: two services on one data directory with different host
/// ids behave as two hosts. The two-process version (SIGSTOP) is IntegrationTests' LeaseFenceTests.
/// Serialized: one test stalls the process-wide keeper thread on purpose.
@Suite(.serialized, .timeLimit(.minutes(10))) struct LeaseFenceUnitTests {
    static let deadPID = "999999999:1"

    func service(_ f: Fixture, host: String, ttl: Double = 2) throws -> LifecycleService {
        try f.openService(leases: try LeaseSettings(hostID: host, ttl: ttl))
    }

    /// An uncommitted install by host `hA`: its lease (a pid that is dead here), its staging folder
    /// named for its host, its copy at the target.
    func leaveInstall(_ f: Fixture, host: String, operationID: String, expiresIn: Double) throws {
        let lease = OperationLease(userID: "u1", pluginSlug: "braindrive_chat", operationID: operationID, operation: "install",
                                   owner: Self.deadPID, expiresAt: Date().timeIntervalSince1970 + expiresIn, ownerHost: host, generation: 0)
        try f.insert(lease)
        let staging = f.root + "/staging/\(host)~\(operationID)"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let record = ["operation_id": operationID, "user_id": "u1", "plugin_slug": "braindrive_chat", "operation": "install", "host": host]
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: staging + "/operation.json"))
        let target = f.pluginFolder("u1", "braindrive_chat")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["operation_id": operationID]).write(to: URL(fileURLWithPath: target + "/plugin_metadata.json"))
    }

    /// A pid is checked only on its own host: another host's lease lives until its deadline, then
    /// any host takes it over, fences its folder and rolls it back.
    @Test(arguments: TestStore.all) func anotherHostsLeaseDiesByItsDeadlineOnly(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        let b = try service(f, host: "hB")
        try leaveInstall(f, host: "hA", operationID: "deadbeef31", expiresIn: 4)
        let lease = try #require(try f.service.database.lease(userID: "u1", slug: "braindrive_chat"))
        #expect(!LeaseOwner.isLive(lease, judgedOn: "hA", now: Date().timeIntervalSince1970), "its own host sees the pid dead")
        #expect(LeaseOwner.isLive(lease, judgedOn: "hB", now: Date().timeIntervalSince1970), "another host waits for the deadline")
        #expect(throws: LifecycleError.operationInProgress(slug: "braindrive_chat", operation: "install")) {
            try b.install(user: "u1", slug: "braindrive-chat")
        }
        var installed: InstallResult?
        while installed == nil, Date().timeIntervalSince1970 < lease.expiresAt + 4 {
            installed = try? b.install(user: "u1", slug: "braindrive-chat")
            if installed == nil { usleep(100_000) }
        }
        let late = Date().timeIntervalSince1970 - lease.expiresAt
        #expect(installed != nil && late >= 0 && late < 2, "taken over once the deadline passed (\(late) s after it)")
        #expect(try b.status(user: "u1", slug: "braindrive-chat", verify: .full).status == .healthy)
        #expect(f.stagingEntries().isEmpty)
        #expect(try f.service.database.allLeases().isEmpty)
    }

    /// The commit presents the generation its lease was taken with: a lease row of the same
    /// operation with another generation (taken again) refuses it, and nothing is written.
    @Test(arguments: TestStore.all) func aCommitWithAStaleGenerationIsLostAndWritesNothing(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        let db = f.service.database
        let first = try db.takeLease(OperationLease(userID: "u1", pluginSlug: "p", operationID: "op-a", operation: "install",
                                                    owner: "1:1", expiresAt: 1e12, ownerHost: "hA"), isLive: { _ in true })
        let second = try db.takeLease(OperationLease(userID: "u1", pluginSlug: "p", operationID: "op-b", operation: "install",
                                                     owner: "1:1", expiresAt: 1e12, ownerHost: "hB"), isLive: { _ in false })
        #expect(second.stale?.operationID == "op-a" && second.lease.generation > first.lease.generation)
        let row = PluginRow(id: "u1_p", userID: "u1", pluginSlug: "p", name: "p", version: "1.0.0", description: nil, author: nil,
                            scope: nil, bundleLocation: nil, manifestJSON: "{}", operationID: "op-b", installedAt: "t", updatedAt: "t")
        let audit = AuditEventRow(at: "t", actor: "u1", userID: "u1", pluginSlug: "p", action: "install", fromVersion: nil,
                                  toVersion: "1.0.0", outcome: "success", requestID: nil)
        #expect(throws: LeaseError.lost, "the taken-over operation") {
            try db.commitPlugin(InstalledPlugin(plugin: row, modules: [], files: []), audit: audit, releasing: "op-a")
        }
        // The same operation id under a generation it was not taken with.
        try f.execute("UPDATE operation_lease SET generation = generation + 100 WHERE operation_id = 'op-b'")
        #expect(throws: LeaseError.lost, "a stale generation") {
            try db.commitPlugin(InstalledPlugin(plugin: row, modules: [], files: []), audit: audit, releasing: "op-b")
        }
        #expect(try db.installedPlugin(userID: "u1", slug: "p") == nil)
        #expect(try db.auditEvents(userID: "u1", limit: 10, before: nil).isEmpty)
        #expect(try db.allLeases().map(\.operationID) == ["op-b"])
        let counter = try f.integer("SELECT generation FROM lease_counter")
        #expect(counter == second.lease.generation, "a generation is drawn once per acquisition")
    }

    /// The keeper pushes a held lease's deadline on every ttl/3; once a renewal finds the row gone
    /// (taken over) the operation is flagged lost.
    @Test(arguments: TestStore.all) func theKeeperRenewsAndFlagsALostLease(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        let db = f.service.database
        // The keeper is one per process: each store's case keeps its own operation.
        let op = "op-k-\(store)"
        let ttl = 2.0
        let since = LeaseKeeper.now()
        let start = Date().timeIntervalSince1970 + ttl
        let taken = try db.takeLease(OperationLease(userID: "u1", pluginSlug: "p", operationID: op, operation: "update",
                                                    owner: "1:1", expiresAt: start, ownerHost: "hA"), isLive: { _ in true })
        LeaseKeeper.shared.keepRenewing(op, database: db, ttl: ttl, since: since)
        defer { LeaseKeeper.shared.forget(op) }
        Thread.sleep(forTimeInterval: 3 * ttl / 2)
        let renewed = try #require(try db.lease(userID: "u1", slug: "p"))
        #expect(renewed.expiresAt > start && renewed.generation == taken.lease.generation, "renewed past its first deadline")
        #expect(try !LeaseKeeper.shared.isLost(op))
        // Taken over: same row, another generation.
        try f.execute("UPDATE operation_lease SET generation = generation + 1, operation_id = 'op-x'")
        let deadline = Date().addingTimeInterval(3)
        while try !LeaseKeeper.shared.isLost(op) && Date() < deadline { usleep(50_000) }
        #expect(try LeaseKeeper.shared.isLost(op))
        #expect(try db.lease(userID: "u1", slug: "p")?.operationID == "op-x", "the keeper never touches another's lease")
    }

    /// Host A has swapped its copy in when host B takes its lease over (A stalled past its deadline):
    /// B rolls A's copy back and installs its own. When A goes on, its commit is refused and its
    /// error path rolls nothing back: the tree and rows stay B's.
    @Test(arguments: TestStore.all) func aFencedOperationNeitherRollsBackNorReleases(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        // A long ttl: A's keeper does not renew during the test; the takeover is staged by its deadline.
        let a = try service(f, host: "hA", ttl: 300)
        let b = try service(f, host: "hB")
        let slug = try LifecycleService.slug("braindrive-chat")
        let package = try a.resolve(slug, nil, in: a.catalog.fresh)
        var stagingOfA = ""
        #expect(throws: LifecycleError.operationInProgress(slug: "braindrive_chat", operation: "install")) {
            try a.runner.run(user: try UserID("u1"), slug: "braindrive_chat", kind: "install") { operation in
                stagingOfA = operation.staging
                #expect(operation.staging.hasSuffix("/staging/hA~\(operation.id)"))
                let rows = try a.placeCopy(of: package, for: operation, previous: nil)
                try f.execute("UPDATE operation_lease SET expires_at = 0")
                _ = try b.install(user: "u1", slug: "braindrive-chat")
                #expect(!FileManager.default.fileExists(atPath: operation.staging), "fenced: moved into B's folder")
                #expect(rename(operation.target, operation.oldFolder) != 0 && errno == ENOENT, "a disk step of A fails")
                // What a rollback by A would remove (its staging folder, with a previous copy to put back).
                try FileManager.default.createDirectory(atPath: operation.oldFolder + "/keep", withIntermediateDirectories: true)
                try a.database.commit([.put(rows, audit: a.audit(.cli, operation.user, "braindrive_chat", "install", from: nil, to: "1.0.0"),
                                            operationID: operation.id)])
            }
        }
        let row = try #require(try b.database.installedPlugin(userID: "u1", slug: "braindrive_chat"))
        #expect(PluginMetadataFile.operationID(inFolder: f.pluginFolder("u1", "braindrive_chat")) == row.plugin.operationID)
        #expect(!stagingOfA.isEmpty && row.plugin.operationID != String(stagingOfA.split(separator: "~").last!))
        #expect(try b.status(user: "u1", slug: "braindrive-chat", verify: .full).status == .healthy)
        #expect(FileManager.default.fileExists(atPath: stagingOfA + "/old/keep"), "A rolled nothing back")
        try FileManager.default.removeItem(atPath: stagingOfA)
        #expect(f.stagingEntries().isEmpty)
        #expect(try f.service.database.allLeases().isEmpty)
    }

    /// The staging folder and its record are made in the lease's transaction, only once no live
    /// lease stands in the way: a taker refused by a held lease makes no folder, which the holder's
    /// orphan sweep would otherwise remove under a taker that gets the lease just after.
    @Test(arguments: TestStore.all) func theStagingRecordComesWithTheLeaseAndARefusedTakerMakesNoFolder(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        let a = try service(f, host: "hA")
        try a.runner.run(user: try UserID("u1"), slug: "p", kind: "install") { operation in
            let data = try #require(FileManager.default.contents(atPath: operation.staging + "/operation.json"))
            let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(record["operation_id"] as? String == operation.id && record["host"] as? String == "hA")
            #expect(record["generation"] == nil, "nothing reads a generation from disk")
            #expect(throws: LifecycleError.operationInProgress(slug: "p", operation: "install")) {
                try a.runner.run(user: try UserID("u1"), slug: "p", kind: "update") { _ in }
            }
            #expect(f.stagingEntries() == ["hA~\(operation.id)"], "the refused taker made no folder")
            try a.database.releaseLease(operationID: operation.id)
        }
        #expect(f.stagingEntries().isEmpty)
    }

    /// A deadline that passed while the keeper's renewal waited behind another writer is no
    /// takeover: the check renews the lease itself and the operation goes on.
    /// SQLite: another writer holds the one write lock.
    @Test func aDeadlineMissedBehindABusyWriterIsRenewedAtTheCheck() throws {
        let f = try Fixture(); defer { f.remove() }
        let db = f.service.database
        let ttl = 2.0
        let since = LeaseKeeper.now()
        _ = try db.takeLease(OperationLease(userID: "u1", pluginSlug: "p", operationID: "op-busy", operation: "update", owner: "1:1",
                                            expiresAt: Date().timeIntervalSince1970 + ttl, ownerHost: "hA"), isLive: { _ in true })
        LeaseKeeper.shared.keepRenewing("op-busy", database: db, ttl: ttl, since: since)
        defer { LeaseKeeper.shared.forget("op-busy") }
        let writerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? db.pool.write { _ in Thread.sleep(forTimeInterval: ttl + 0.6) }
            writerDone.signal()
        }
        Thread.sleep(forTimeInterval: ttl + 0.2)
        #expect(LeaseKeeper.now() > since + ttl, "the deadline passed without a renewal")
        #expect(try !LeaseKeeper.shared.isLost("op-busy"), "nobody took it: renewed at the check")
        writerDone.wait()
        let lease = try #require(try db.lease(userID: "u1", slug: "p"))
        #expect(lease.expiresAt > Date().timeIntervalSince1970 + ttl / 2)
    }

    /// A renewal that fails (here: a store without the lease table) makes nothing lost: past the
    /// deadline the check's own renewal throws, an ordinary failure that rolls back and releases.
    @Test func aFailingRenewalIsAnErrorNotALoss() throws {
        let f = try Fixture(); defer { f.remove() }
        let broken = try Fixture(); defer { broken.remove() }
        try broken.execute("DROP TABLE operation_lease")
        _ = try f.service.database.takeLease(OperationLease(userID: "u1", pluginSlug: "p", operationID: "op-err", operation: "update",
                                                            owner: "1:1", expiresAt: 1e12, ownerHost: "hA"), isLive: { _ in true })
        LeaseKeeper.shared.keepRenewing("op-err", database: broken.service.database, ttl: 2, since: LeaseKeeper.now() - 3)
        defer { LeaseKeeper.shared.forget("op-err") }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(throws: (any Error).self, "the check's renewal fails") { try LeaseKeeper.shared.isLost("op-err") }
    }

    /// A body that fails after its commit (which gave the lease up) is not fenced: its own error
    /// comes back, not a conflict, and what it committed stands.
    @Test(arguments: TestStore.all) func aBodyFailingAfterItsCommitIsNotFenced(store: TestStore) throws {
        struct AfterCommit: Error {}
        let f = try Fixture(store: store); defer { f.remove() }
        let a = try service(f, host: "hA")
        let package = try a.resolve(try LifecycleService.slug("braindrive-chat"), nil, in: a.catalog.fresh)
        #expect(throws: AfterCommit.self) {
            try a.runner.run(user: try UserID("u1"), slug: "braindrive_chat", kind: "install") { operation in
                let rows = try a.placeCopy(of: package, for: operation, previous: nil)
                try a.database.commit([.put(rows, audit: a.audit(.cli, operation.user, "braindrive_chat", "install", from: nil, to: "1.0.0"),
                                            operationID: operation.id)])
                throw AfterCommit()
            }
        }
        #expect(try a.status(user: "u1", slug: "braindrive-chat", verify: .full).status == .healthy)
        #expect(f.stagingEntries().isEmpty)
        #expect(try f.service.database.allLeases().isEmpty)
    }
}
