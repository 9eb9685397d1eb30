import Foundation
import LifecycleCore
import LifecycleStore
import Logging
import PluginCatalog
import Testing

/// Each worker rechecks the catalog folder on its own clock, so reads may lag a publish by up to
/// the recheck interval. Operations that pick a version must not: once any worker has shown a
/// new version, an install or update anywhere picks it.
@Suite(.timeLimit(.minutes(10))) struct CatalogFreshnessTests {
    /// A service on the fixture's directory whose catalog, left alone, would not recheck for an hour.
    func slowService(_ f: Fixture) throws -> LifecycleService {
        let directory = DataDirectory(root: f.root)
        return LifecycleService(directory: directory, database: try LifecycleDatabase(path: directory.databasePath),
                                catalog: CatalogSource(root: URL(fileURLWithPath: f.root + "/catalog"), recheckInterval: 3600),
                                logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    }

    func publishChat(_ f: Fixture, version: String) throws {
        let target = f.root + "/catalog/braindrive-chat/" + version
        try FileManager.default.copyItem(atPath: f.root + "/catalog/braindrive-chat/1.0.0", toPath: target)
        let manifest = try String(contentsOfFile: target + "/plugin.json", encoding: .utf8)
            .replacingOccurrences(of: "\"version\": \"1.0.0\"", with: "\"version\": \"\(version)\"")
        try manifest.write(toFile: target + "/plugin.json", atomically: true, encoding: .utf8)
    }

    @Test func installPicksAVersionPublishedSinceTheLastRecheck() throws {
        let f = try Fixture(); defer { f.remove() }
        let service = try slowService(f)
        #expect(try service.versions(slug: "braindrive-chat").latest == "1.0.0")
        try publishChat(f, version: "2.0.0")
        #expect(try service.versions(slug: "braindrive-chat").latest == "1.0.0", "reads wait for the recheck")
        #expect(try service.install(user: "u1", slug: "braindrive-chat").version == "2.0.0")
        #expect(try service.versions(slug: "braindrive-chat").latest == "2.0.0", "and the operation's look refreshed them")
    }

    @Test func updatePicksAVersionPublishedSinceTheLastRecheck() throws {
        let f = try Fixture(); defer { f.remove() }
        let service = try slowService(f)
        _ = try service.install(user: "u1", slug: "braindrive-chat")
        try publishChat(f, version: "1.2.0")
        let result = try service.update(user: try UserID("u1"), slug: try PluginSlug("braindrive-chat"), version: nil, context: .cli)
        #expect(result.newVersion == "1.2.0")
    }
}
