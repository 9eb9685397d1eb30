import Foundation
import LifecycleCore
import StoreTestSupport
import LifecycleStore
import Testing

@Suite(.timeLimit(.minutes(10))) struct StatusRepairTests {
    @Test(arguments: TestStore.all) func missingFileIsReportedAndRepaired(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        let folder = f.pluginFolder("u1", "braindrive_network")
        try FileManager.default.removeItem(atPath: folder + "/dist/remoteEntry.js")
        let status = try f.service.status(user: "u1", slug: "braindrive-network")
        #expect(status.status == .filesMissing)
        #expect(status.files.missing == ["dist/remoteEntry.js"])
        #expect(!status.filesExist)

        let repair = try f.service.repair(user: "u1", slug: "braindrive-network")
        #expect(repair.oldStatus == .filesMissing && repair.newStatus == .healthy)
        #expect(repair.repairActions == ["restored missing file dist/remoteEntry.js"])
        #expect(try f.service.status(user: "u1", slug: "braindrive-network", verify: .full).status == .healthy)
        #expect(f.stagingEntries().isEmpty)
    }

    @Test(arguments: TestStore.all) func sameSizeChangeIsFoundOnlyByFullVerify(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        let path = f.pluginFolder("u1", "braindrive_network") + "/README.md"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[0] = bytes[0] == 0x41 ? 0x42 : 0x41
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try f.service.status(user: "u1", slug: "braindrive-network").status == .healthy)
        let full = try f.service.status(user: "u1", slug: "braindrive-network", verify: .full)
        #expect(full.status == .filesModified && full.files.modified == ["README.md"])
        let repair = try f.service.repair(user: "u1", slug: "braindrive-network")
        #expect(repair.newStatus == .healthy)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) != bytes)
    }

    @Test(arguments: TestStore.all) func sizeChangeAndSymlinkAreModifiedOrMissing(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        let folder = f.pluginFolder("u1", "braindrive_network")
        try Data("longer than before, surely".utf8).write(to: URL(fileURLWithPath: folder + "/package.json"))
        try FileManager.default.removeItem(atPath: folder + "/README.md")
        try FileManager.default.createSymbolicLink(atPath: folder + "/README.md", withDestinationPath: "/etc/passwd")
        let status = try f.service.status(user: "u1", slug: "braindrive-network")
        #expect(status.status == .filesMissing)
        #expect(status.files.missing == ["README.md"])
        #expect(status.files.modified == ["package.json"])
        _ = try f.service.repair(user: "u1", slug: "braindrive-network")
        var st = stat()
        #expect(lstat(folder + "/README.md", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
        #expect(FileManager.default.fileExists(atPath: "/etc/passwd"), "the link's target is never touched")
    }

    @Test(arguments: TestStore.all) func missingModuleRowIsCorruptionAndRepairRecreatesIt(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        try f.execute("DELETE FROM module WHERE id = 'u1_braindrive_network_ComponentNetworkHistory'")
        let status = try f.service.status(user: "u1", slug: "braindrive-network")
        #expect(status.status == .modulesCorrupted)
        #expect(status.modulesStatus.loadedCount == 1 && status.modulesStatus.expectedCount == 2)
        let repair = try f.service.repair(user: "u1", slug: "braindrive-network")
        #expect(repair.repairActions == ["recreated module record ComponentNetworkHistory"])
        #expect(try f.service.status(user: "u1", slug: "braindrive-network").status == .healthy)
    }

    @Test(arguments: TestStore.all) func repairOfHealthyPluginDoesNothingAndOfMissingIsNotInstalled(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")
        let repair = try f.service.repair(user: "u1", slug: "braindrive-chat")
        #expect(repair.oldStatus == .healthy && repair.repairActions.isEmpty)
        #expect(throws: LifecycleError.notInstalled(slug: "braindrive_network")) {
            try f.service.repair(user: "u1", slug: "braindrive-network")
        }
        #expect(try f.service.database.auditEvents(userID: "u1", limit: 10, before: nil).map(\.action) == ["install"])
    }

    @Test(arguments: TestStore.all) func deletedFolderIsRestored(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")
        try FileManager.default.removeItem(atPath: f.pluginFolder("u1", "braindrive_chat"))
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat").status == .filesMissing)
        #expect(try f.service.repair(user: "u1", slug: "braindrive-chat").newStatus == .healthy)
    }
}
