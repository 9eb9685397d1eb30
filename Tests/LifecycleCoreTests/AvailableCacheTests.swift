import Foundation
import LifecycleCore
import Testing

/// `available` is served from a cache of the catalog part: a catalog change must show, and the
/// per-user fields must never leak from one caller to the next.
@Suite(.timeLimit(.minutes(10))) struct AvailableCacheTests {
    @Test func catalogChangesShowAndUserFieldsStayPerUser() throws {
        let f = try Fixture(); defer { f.remove() }
        let before = try f.service.available()
        #expect(before.availablePlugins["cache_probe"] == nil)
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")

        let mine = try f.service.available(for: try UserID("u1"))
        #expect(mine.availablePlugins["braindrive_chat"]?.installed == true)
        #expect(mine.availablePlugins["braindrive_chat"]?.installedVersion == "1.0.0")
        let theirs = try f.service.available(for: try UserID("u2"))
        #expect(theirs.availablePlugins["braindrive_chat"]?.installed == false)
        #expect(theirs.availablePlugins["braindrive_chat"]?.installedVersion == nil)
        let anonymous = try f.service.available()
        #expect(anonymous.availablePlugins["braindrive_chat"]?.installed == nil)
        #expect(anonymous == before)

        try DependencyTests().publish(f, slug: "cache-probe", version: "3.1.0", dependencies: ["braindrive-chat": "^1.0.0"])
        let after = try f.service.available(for: try UserID("u1"))
        #expect(after.totalCount == before.totalCount + 1)
        #expect(after.availablePlugins["cache_probe"]?.version == "3.1.0")
        #expect(after.availablePlugins["cache_probe"]?.installed == false)
        #expect(after.availablePlugins["braindrive_chat"]?.installed == true)
    }
}
