import Foundation
import PluginAPI
import StoreTestSupport
import Testing

@Suite(.timeLimit(.minutes(10))) struct VersionRouteTests {
    let p = "/api/plugins/"

    @Test(arguments: TestStore.all) func versionsNewestFirstBySemver(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        let r = f.send("GET", p + "braindrive-settings/versions")
        #expect(r.status == 200 && r.header("ETag") != nil)
        #expect(r.data?["latest"] as? String == "1.0.10")
        let versions = (r.data?["versions"] as? [[String: Any]])?.compactMap { $0["version"] as? String }
        #expect(versions == ["1.0.10", "1.0.9", "1.0.0"])
        let library = f.send("GET", p + "braindrive-library/versions").data?["versions"] as? [[String: Any]]
        #expect(library?.first?["dependencies"] as? [String: String] == ["braindrive_chat": "^1.0.0"])
        #expect(f.send("GET", p + "nope/versions").code == "plugin_not_found")
    }

    @Test(arguments: TestStore.all) func updateDowngradeAndNoChangeResyncModulesAndKeepFlags(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        #expect(f.send("POST", p + "braindrive-network/install", user: "u1", body: #"{"version":"1.0.0"}"#).status == 201)
        #expect(f.send("POST", p + "braindrive-network/disable", user: "u1").data?["enabled"] as? Bool == false)
        #expect(f.send("GET", p + "updates", user: "u1").data?["total_count"] as? Int == 1)

        let up = f.send("PUT", p + "braindrive-network/update", user: "u1")
        #expect(up.status == 200, "\(up.jsonObject ?? [:])")
        #expect(up.data?["previous_version"] as? String == "1.0.0" && up.data?["new_version"] as? String == "1.1.0")
        #expect(up.data?["modules_added"] as? [String] == ["u1_braindrive_network_ComponentNetworkHistory"])
        #expect(up.data?["modules_removed"] as? [String] == [])
        let status = f.send("GET", p + "braindrive-network/status", user: "u1", query: ["verify": "full"])
        #expect(status.data?["status"] as? String == "healthy" && status.data?["version"] as? String == "1.1.0")
        #expect(status.data?["enabled"] as? Bool == false, "update keeps the enabled flag")
        #expect(f.send("GET", p + "updates", user: "u1").data?["total_count"] as? Int == 0)

        let same = f.send("PUT", p + "braindrive-network/update", user: "u1")
        #expect(same.status == 200 && same.data?["previous_version"] as? String == same.data?["new_version"] as? String)

        let down = f.send("PUT", p + "braindrive-network/update", user: "u1", body: #"{"version":"1.0.0"}"#)
        #expect(down.data?["modules_removed"] as? [String] == ["u1_braindrive_network_ComponentNetworkHistory"])
        #expect(f.send("GET", p + "braindrive-network/status", user: "u1", query: ["verify": "full"]).data?["status"] as? String == "healthy")
        let files = try FileManager.default.subpathsOfDirectory(atPath: f.root + "/staging")
        #expect(files.isEmpty, "the old version is gone once the switch committed")
    }

    @Test(arguments: TestStore.all) func updateProblems(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        #expect(f.send("PUT", p + "braindrive-network/update", user: "u1").code == "not_installed")
        f.send("POST", p + "braindrive-network/install", user: "u1")
        #expect(f.send("PUT", p + "braindrive-network/update", user: "u1", body: #"{"version":"3.0.0"}"#).code == "version_not_found")
        #expect(f.send("PUT", p + "braindrive-network/update", user: "u1", body: #"{"version":"x"}"#).code == "invalid_version")
        #expect(f.send("POST", p + "braindrive-network/update", user: "u1").code == "method_not_allowed")
    }

    @Test(arguments: TestStore.all) func updateRefusedWhenAnotherPluginsRangeWouldBreak(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        // Publish chat 2.0.0 into this fixture's catalog: library needs ^1.0.0.
        let source = f.root + "/catalog/braindrive-chat/1.0.0"
        let target = f.root + "/catalog/braindrive-chat/2.0.0"
        try FileManager.default.copyItem(atPath: source, toPath: target)
        let manifest = try String(contentsOfFile: target + "/plugin.json", encoding: .utf8)
            .replacingOccurrences(of: "\"version\": \"1.0.0\"", with: "\"version\": \"2.0.0\"")
        try manifest.write(toFile: target + "/plugin.json", atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 1.1)   // the catalog is re-read at most once a second
        #expect(f.send("GET", p + "braindrive-chat/versions").data?["latest"] as? String == "2.0.0")
        f.send("POST", p + "braindrive-chat/install", user: "u1", body: #"{"version":"1.0.0"}"#)
        f.send("POST", p + "braindrive-library/install", user: "u1")
        let refused = f.send("PUT", p + "braindrive-chat/update", user: "u1")
        #expect(refused.status == 422 && refused.code == "dependency_unsatisfied", "\(refused.jsonObject ?? [:])")
        #expect(f.send("GET", p + "braindrive-chat/status", user: "u1").data?["version"] as? String == "1.0.0")
    }

    @Test(arguments: TestStore.all) func enableDisablePluginAndModule(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        #expect(f.send("POST", p + "braindrive-network/disable", user: "u1").code == "not_installed")
        f.send("POST", p + "braindrive-network/install", user: "u1")
        let off = f.send("POST", p + "braindrive-network/modules/ComponentNetworkStatus/disable", user: "u1")
        let modules = off.data?["modules"] as? [[String: Any]]
        #expect(modules?.first { $0["name"] as? String == "ComponentNetworkStatus" }?["enabled"] as? Bool == false)
        #expect(modules?.first { $0["name"] as? String == "ComponentNetworkHistory" }?["enabled"] as? Bool == true)
        #expect(off.data?["enabled"] as? Bool == true)
        #expect(f.send("POST", p + "braindrive-network/modules/Nope/disable", user: "u1").code == "not_found")
        #expect(f.send("POST", p + "braindrive-network/disable", user: "u1").status == 200)
        #expect(f.send("POST", p + "braindrive-network/disable", user: "u1").status == 200, "idempotent")
        // Disabled is not unhealthy; repair keeps the flags.
        try FileManager.default.removeItem(atPath: f.root + "/plugins/u1/braindrive_network/README.md")
        #expect(f.send("POST", p + "braindrive-network/repair", user: "u1").data?["new_status"] as? String == "healthy")
        let installed = f.send("GET", p + "installed", user: "u1").data?["installed_plugins"] as? [[String: Any]]
        #expect(installed?.first?["enabled"] as? Bool == false && installed?.first?["status"] as? String == "healthy")
        // `installed` says which modules are off (repair kept the flag), so a page can show it.
        #expect(installed?.first?["disabled_modules"] as? [String] == ["u1_braindrive_network_ComponentNetworkStatus"])
        #expect((installed?.first?["modules"] as? [String])?.count == 2)
        f.send("POST", p + "braindrive-network/modules/ComponentNetworkStatus/enable", user: "u1")
        let back = f.send("GET", p + "installed", user: "u1").data?["installed_plugins"] as? [[String: Any]]
        #expect(back?.first?["disabled_modules"] as? [String] == [])
        let events = f.send("GET", p + "audit", user: "u1").data?["events"] as? [[String: Any]]
        #expect(events?.compactMap { $0["action"] as? String }
                == ["enable:ComponentNetworkStatus", "repair", "disable", "disable:ComponentNetworkStatus", "install"])
        // Another user sees none of it.
        #expect(f.send("GET", p + "installed", user: "u2").data?["total_count"] as? Int == 0)
    }

    @Test(arguments: TestStore.all) func auditPagesAndAdminScope(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        for slug in ["braindrive-chat", "braindrive-network", "braindrive-settings"] {
            f.send("POST", p + slug + "/install", user: "u1")
        }
        f.send("POST", p + "braindrive-chat/install", user: "u2")
        let first = f.send("GET", p + "audit", user: "u1", query: ["limit": "2"])
        #expect((first.data?["events"] as? [[String: Any]])?.count == 2)
        let cursor = try #require(first.data?["next_cursor"] as? String)
        let second = f.send("GET", p + "audit", user: "u1", query: ["limit": "2", "cursor": cursor])
        let rest = second.data?["events"] as? [[String: Any]]
        #expect(rest?.count == 1 && rest?.first?["plugin_slug"] as? String == "braindrive_chat")
        #expect(second.data?["next_cursor"] is NSNull)
        #expect(rest?.first?["request_id"] as? String == "req-1" && rest?.first?["actor"] as? String == "u1")
        #expect(f.send("GET", p + "audit", user: "u1", query: ["user_id": "u2"]).code == "forbidden")
        #expect(f.send("GET", p + "audit", user: "u1", query: ["limit": "0"]).code == "bad_request")
        let admin = f.send("GET", p + "audit", authorization: "Bearer " + APIFixture.token("root", admin: true))
        #expect((admin.data?["events"] as? [[String: Any]])?.count == 4)
        let adminU2 = f.send("GET", p + "audit", authorization: "Bearer " + APIFixture.token("root", admin: true), query: ["user_id": "u2"])
        #expect((adminU2.data?["events"] as? [[String: Any]])?.count == 1)
    }
}
