import Foundation
@testable import LifecycleCore
import StoreTestSupport
import LifecycleStore
import Testing

/// Status and installed read through the store's hot reader; when that snapshot holds the lease of
/// a dead or expired owner, they recover through the store's write path and answer the committed state.
@Suite(.timeLimit(.minutes(10))) struct HotReadRecoveryTests {
    /// A lease on u1's braindrive_network held by this (live) process, expiring `expiresIn` seconds from now.
    func leaseHeldByThisProcess(_ f: Fixture, operationID: String, expiresIn: Double) throws {
        try f.insert(OperationLease(userID: "u1", pluginSlug: "braindrive_network", operationID: operationID, operation: "update",
                                    owner: ProcessIdentity.current, expiresAt: Date().timeIntervalSince1970 + expiresIn))
    }

    @Test(arguments: TestStore.all) func statusFindingADeadOwnersLeaseRollsItBackFirst(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        try RecoveryTests().leaveUncommittedInstall(f, operationID: "deadbeef21")
        #expect(try f.service.database.hot.leaseAndHealthRows(userID: "u1", slug: "braindrive_chat").lease?.operationID == "deadbeef21")
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat").status == .notInstalled)
        #expect(!f.exists(f.pluginFolder("u1", "braindrive_chat")) && f.stagingEntries().isEmpty)
        #expect(try f.service.database.allLeases().isEmpty)
    }

    @Test(arguments: TestStore.all) func statusFindingAnExpiredLeaseOfALiveOwnerRollsItBackToo(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network", version: "1.0.0")
        try leaseHeldByThisProcess(f, operationID: "expired01", expiresIn: -1)
        let status = try f.service.status(user: "u1", slug: "braindrive-network", verify: .full)
        #expect(status.status == .healthy && status.version == "1.0.0")
        #expect(try f.service.database.allLeases().isEmpty)
    }

    @Test(arguments: TestStore.all) func installedFindingADeadOwnersLeaseListsTheCommittedState(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        try RecoveryTests().leaveUncommittedInstall(f, operationID: "deadbeef22")
        let list = try f.service.installed(user: UserID("u1"))
        #expect(list.installedPlugins.map(\.pluginSlug) == ["braindrive_network"] && list.installedPlugins[0].status == .healthy)
        #expect(!f.exists(f.pluginFolder("u1", "braindrive_chat")) && f.stagingEntries().isEmpty)
        #expect(try f.service.database.allLeases().isEmpty)
    }

    @Test(arguments: TestStore.all) func aLiveOwnersLeaseIsLeftAloneAndTheCommittedStateShown(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network", version: "1.0.0")
        try leaseHeldByThisProcess(f, operationID: "live02", expiresIn: 600)
        #expect(try f.service.status(user: "u1", slug: "braindrive-network").version == "1.0.0")
        #expect(try f.service.database.allLeases().map(\.operationID) == ["live02"])
    }
}
