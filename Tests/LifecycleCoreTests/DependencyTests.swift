import Foundation
import LifecycleCore
import StoreTestSupport
import LifecycleStore
import Testing

@Suite(.timeLimit(.minutes(10))) struct DependencyTests {
    /// Adds a package to the fixture's catalog: a copy of chat 1.0.0 under another slug/version with other dependencies.
    func publish(_ f: Fixture, slug: String, version: String, dependencies: [String: String]) throws {
        let target = f.root + "/catalog/\(slug)/\(version)"
        try FileManager.default.createDirectory(atPath: f.root + "/catalog/\(slug)", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: f.root + "/catalog/braindrive-chat/1.0.0", toPath: target)
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: target + "/plugin.json"))) as! [String: Any]
        manifest["slug"] = slug
        manifest["version"] = version
        manifest["dependencies"] = dependencies
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: target + "/plugin.json"))
        Thread.sleep(forTimeInterval: 1.1)   // the catalog is re-read at most once a second
    }

    @Test(arguments: TestStore.all) func installBringsMissingDependenciesInOneStep(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        let result = try f.service.install(user: "u1", slug: "braindrive-library")
        #expect(result.dependenciesInstalled == ["braindrive_chat"])
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat", verify: .full).status == .healthy)
        #expect(try f.service.status(user: "u1", slug: "braindrive-library", verify: .full).status == .healthy)
        let actions = try f.service.database.auditEvents(userID: "u1", limit: 10, before: nil).map { $0.pluginSlug ?? "" }
        #expect(Set(actions) == ["braindrive_chat", "braindrive_library"] && actions.count == 2)
        // Uninstalling the plugin leaves the dependency it pulled in as an ordinary install.
        #expect(try f.service.uninstall(user: "u1", slug: "braindrive-library").uninstalled == ["braindrive_library"])
        #expect(try f.service.status(user: "u1", slug: "braindrive-chat").status == .healthy)
    }

    @Test(arguments: TestStore.all) func installedDependencyIsReused(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-chat")
        #expect(try f.service.install(user: "u1", slug: "braindrive-library").dependenciesInstalled == [])
    }

    @Test(arguments: TestStore.all) func cascadeRemovesDependentsTogether(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-library")
        let result = try f.service.uninstall(user: "u1", slug: "braindrive-chat", cascade: true)
        #expect(result.uninstalled == ["braindrive_chat", "braindrive_library"])
        #expect(result.deletedModules == ["u1_braindrive_chat_ComponentChat", "u1_braindrive_library_ComponentLibrary"])
        #expect(!f.exists(f.root + "/plugins/u1"))
        #expect(f.stagingEntries().isEmpty)
    }

    @Test(arguments: TestStore.all) func unsatisfiableRangeAndCyclesAreRefusedAndNothingIsInstalled(store: TestStore) throws {
        let f = try Fixture(store: store); defer { f.remove() }
        try publish(f, slug: "needs-new-chat", version: "1.0.0", dependencies: ["braindrive-chat": "^2.0.0"])
        try publish(f, slug: "cycle-a", version: "1.0.0", dependencies: ["cycle-b": "*"])
        try publish(f, slug: "cycle-b", version: "1.0.0", dependencies: ["cycle-a": "*"])
        #expect(throws: LifecycleError.dependencyUnsatisfied(slug: "needs_new_chat", dependency: "braindrive_chat", range: "^2.0.0")) {
            try f.service.install(user: "u1", slug: "needs-new-chat")
        }
        let cycle = #expect(throws: LifecycleError.self) { try f.service.install(user: "u1", slug: "cycle-a") }
        #expect(cycle?.description.contains("cycle: cycle_a -> cycle_b -> cycle_a") == true, "\(String(describing: cycle))")
        #expect(try f.service.database.plugins(userID: "u1").isEmpty)
        #expect(!f.exists(f.root + "/plugins/u1"))
        // An installed dependency at a version outside the range is not silently changed.
        _ = try f.service.install(user: "u2", slug: "braindrive-chat")
        #expect(throws: LifecycleError.dependencyUnsatisfied(slug: "needs_new_chat", dependency: "braindrive_chat", range: "^2.0.0")) {
            try f.service.install(user: "u2", slug: "needs-new-chat")
        }
    }
}
