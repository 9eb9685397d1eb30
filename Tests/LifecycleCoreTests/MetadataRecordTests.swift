import Foundation
import LifecycleCore
import LifecycleStore
import Testing

/// `plugin_metadata.json` repeats the database row: `installed_at` is the instant of the first
/// install, written once, the same in both, and no repair or update moves it.
@Suite(.timeLimit(.minutes(10))) struct MetadataRecordTests {
    @Test func installedAtAgreesAndNeverMoves() throws {
        let f = try Fixture(); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network", version: "1.0.0")
        let folder = f.pluginFolder("u1", "braindrive_network")
        let installed = try recorded(f, folder)
        #expect(installed.file == installed.row, "install: the file and the row name one instant")

        // A repair that puts files back rewrites the metadata file.
        try FileManager.default.removeItem(atPath: folder + "/dist/remoteEntry.js")
        let repair = try f.service.repair(user: "u1", slug: "braindrive-network")
        #expect(repair.newStatus == .healthy)
        #expect(try recorded(f, folder) == installed, "repair keeps installed_at")

        let update = try f.service.update(user: UserID("u1"), slug: LifecycleService.slug("braindrive-network"),
                                          version: nil, context: .cli)
        #expect(update.newVersion == "1.1.0")
        #expect(try recorded(f, folder) == installed, "update keeps installed_at")
    }

    private struct Recorded: Equatable { var file: String; var row: String }

    private func recorded(_ f: Fixture, _ folder: String) throws -> Recorded {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/plugin_metadata.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let file = try #require(object["installed_at"] as? String)
        let row = try #require(try f.service.database.installedPlugin(userID: "u1", slug: "braindrive_network"))
        return Recorded(file: file, row: row.plugin.installedAt)
    }
}
