import Foundation
@testable import PluginAPI
import StoreTestSupport
import Telemetry
import Testing

@Suite(.timeLimit(.minutes(10))) struct RouteTests {
    let p = "/api/plugins/"

    @Test(arguments: TestStore.all) func installStatusRepairUninstallThroughTheAPI(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        let install = f.send("POST", p + "braindrive-network/install", user: "user123")
        #expect(install.status == 201)
        #expect(install.jsonObject?["status"] as? String == "success")
        #expect(install.jsonObject?["message"] as? String == "Plugin 'braindrive_network' installed")
        #expect(install.data?["plugin_id"] as? String == "user123_braindrive_network")
        #expect(install.data?["plugin_directory"] as? String == "plugins/user123/braindrive_network")
        #expect((install.data?["modules_created"] as? [String])?.count == 2)
        #expect(install.data?["dependencies_installed"] as? [String] == [])

        let status = f.send("GET", p + "BrainDrive_Network/status", user: "user123")
        #expect(status.status == 200)
        #expect(status.data?["status"] as? String == "healthy")
        #expect(status.data?["exists"] as? Bool == true)
        #expect(status.data?["files_exist"] as? Bool == true)
        #expect((status.data?["modules_status"] as? [String: Any])?["all_loaded"] as? Bool == true)

        try FileManager.default.removeItem(atPath: f.root + "/plugins/user123/braindrive_network/README.md")
        #expect(f.send("GET", p + "braindrive-network/status", user: "user123").data?["status"] as? String == "files_missing")
        let repair = f.send("POST", p + "braindrive-network/repair", user: "user123")
        #expect(repair.status == 200)
        #expect(repair.data?["old_status"] as? String == "files_missing")
        #expect(repair.data?["new_status"] as? String == "healthy")

        let full = f.send("GET", p + "braindrive-network/status", user: "user123", query: ["verify": "full"])
        #expect(full.data?["status"] as? String == "healthy")

        let uninstall = f.send("DELETE", p + "braindrive-network/uninstall", user: "user123")
        #expect(uninstall.status == 200)
        #expect(uninstall.data?["uninstalled"] as? [String] == ["braindrive_network"])
        #expect(f.send("GET", p + "braindrive-network/status", user: "user123").data?["status"] as? String == "not_installed")
    }

    @Test(arguments: TestStore.all) func installTakesAVersion(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        let install = f.send("POST", p + "braindrive-network/install", user: "u1", body: #"{"version": "1.0.0"}"#)
        #expect(install.status == 201 && install.data?["version"] as? String == "1.0.0")
        #expect(f.send("POST", p + "braindrive-settings/install", user: "u1", body: #"{"version": "2"}"#).code == "invalid_version")
        #expect(f.send("POST", p + "braindrive-settings/install", user: "u1", body: #"{"version": "7.0.0"}"#).code == "version_not_found")
        #expect(f.send("POST", p + "braindrive-settings/install", user: "u1", body: #"{"version": 1}"#).code == "bad_request")
    }

    @Test(arguments: TestStore.all) func availableIsPublicAndPersonalWithAToken(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        let anonymous = f.send("GET", p + "available")
        #expect(anonymous.status == 200)
        let plugins = try #require(anonymous.data?["available_plugins"] as? [String: [String: Any]])
        #expect(Set(plugins.keys) == ["braindrive_network", "braindrive_chat", "braindrive_library", "braindrive_settings"])
        #expect(anonymous.data?["total_count"] as? Int == 4)
        #expect(plugins["braindrive_settings"]?["version"] as? String == "1.0.10", "semver, not string order")
        #expect(plugins["braindrive_settings"]?["versions"] as? [String] == ["1.0.10", "1.0.9", "1.0.0"])
        #expect(plugins["braindrive_network"]?["installed"] == nil)

        f.send("POST", p + "braindrive-chat/install", user: "u1")
        let personal = f.send("GET", p + "available", user: "u1").data?["available_plugins"] as? [String: [String: Any]]
        #expect(personal?["braindrive_chat"]?["installed"] as? Bool == true)
        #expect(personal?["braindrive_chat"]?["installed_version"] as? String == "1.0.0")
        #expect(personal?["braindrive_network"]?["installed"] as? Bool == false)
    }

    @Test(arguments: TestStore.all) func infoListsEveryVersion(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        let info = f.send("GET", p + "braindrive-network/info")
        #expect(info.status == 200)
        #expect(info.data?["plugin_slug"] as? String == "braindrive_network")
        #expect(info.data?["installation_type"] as? String == "user-scoped")
        #expect(info.data?["supports_lifecycle"] as? Bool == true)
        let manifest = try #require(info.data?["plugin_info"] as? [String: Any])
        #expect(manifest["version"] as? String == "1.1.0")
        #expect(manifest["versions"] as? [String] == ["1.1.0", "1.0.0"])
        #expect(f.send("GET", p + "nothing-here/info").code == "plugin_not_found")
    }

    @Test(arguments: TestStore.all) func healthAnswersWithWorkerPid(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        let health = f.send("GET", p + "health")
        #expect(health.status == 200)
        #expect(health.data?["database"] as? String == "ok")
        #expect(health.data?["worker_pid"] as? Int == Int(getpid()))
    }

    @Test(arguments: TestStore.all) func etagAndNotModified(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        let first = f.send("GET", p + "available")
        let tag = try #require(first.header("ETag"))
        let second = f.send("GET", p + "available", ifNoneMatch: tag)
        #expect(second.status == 304 && second.body.isEmpty)
        #expect(f.send("GET", p + "available", ifNoneMatch: "\"other\"").status == 200)
        f.send("POST", p + "braindrive-chat/install", user: "u1")
        let status = f.send("GET", p + "braindrive-chat/status", user: "u1")
        let statusTag = try #require(status.header("ETag"))
        #expect(f.send("GET", p + "braindrive-chat/status", user: "u1", ifNoneMatch: "W/" + statusTag).status == 304)
        #expect(f.send("GET", p + "braindrive-network/info", ifNoneMatch: tag).status == 200)
    }

    /// Where a path lands at the edges of the route templates: literals win over parameters, ids may
    /// be empty (the operation refuses them), slugs and modules may not. Pinned through `handle`,
    /// so the same expectations held the router before the route table replaced it.
    @Test(arguments: [
        ("GET", "", 404, "not_found"), ("GET", "//info", 404, "not_found"), ("GET", "x", 404, "not_found"),
        ("GET", "metrics/info", 404, "not_found"), ("GET", "metrics/pool/x", 404, "not_found"),
        ("GET", "available/info", 404, "plugin_not_found"), ("GET", "users", 404, "not_found"),
        ("GET", "shared/", 405, "method_not_allowed"), ("DELETE", "users/", 400, "bad_request"),
        ("GET", "shared/info", 405, "method_not_allowed"), ("GET", "shared/x/other", 404, "not_found"),
        ("PUT", "shared/x/accept", 405, "method_not_allowed"), ("POST", "x/y/accept", 404, "not_found"),
        ("POST", "shared/modules/m/enable", 404, "not_installed"), ("POST", "a/modules//enable", 404, "not_found"),
        ("POST", "a/modules/m/other", 404, "not_found"), ("POST", "a/other/m/enable", 404, "not_found"),
        ("GET", "a%2Fb/info", 400, "invalid_slug"), ("GET", "braindrive%2Dnetwork/info", 200, ""),
        ("GET", "a/b/c/d/e", 404, "not_found"), ("POST", "available", 405, "method_not_allowed"),
    ] as [(String, String, Int, String)])
    func pathsAtTheEdgesOfTheTemplates(_ method: String, _ rest: String, _ status: Int, _ code: String) throws {
        let f = try APIFixture(); defer { f.remove() }
        let response = f.send(method, p + rest, authorization: "Bearer " + APIFixture.token("u1", admin: true))
        #expect(response.status == status, "\(method) \(rest)")
        #expect((response.code ?? "") == code, "\(method) \(rest)")
    }

    /// 405 names the allowed method; HEAD is answered as GET.
    @Test(arguments: TestStore.all) func methodNotAllowedAndHead(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        #expect(f.send("GET", p + "x/install").header("Allow") == "POST")
        #expect(f.send("POST", p + "available").header("Allow") == "GET")
        #expect(f.send("GET", p + "shared/1").header("Allow") == "DELETE")
        #expect(f.send("HEAD", p + "available").status == 200)
    }

    // MARK: - The route table

    /// Every route has its own metrics label and every label its route, so no request of a new
    /// route is counted as `unmatched`; every operation label is one the counter file has.
    @Test func everyRouteHasItsMetricsLabels() {
        let templates = RouteTable.endpoints.map(\.template)
        for template in templates { #expect(MetricsSchema.routeIndex(template) != 0, "\(template) has no metrics label") }
        #expect(Set(templates) == Set(MetricsSchema.routes.dropFirst()), "MetricsSchema.routes and the route table differ")
        let operations = RouteTable.endpoints.compactMap(\.operation)
        #expect(Set(operations) == Set(MetricsSchema.operations))
        #expect(operations.count == Set(operations).count, "an operation label names one route")
    }

    /// Each (method, template) is declared once, and every template routes to its own endpoints.
    @Test func eachEndpointIsDeclaredOnceAndRoutesToItself() {
        let keys = RouteTable.endpoints.map { "\($0.method) \($0.template)" }
        #expect(Set(keys).count == keys.count)
        let samples = ["{slug}": "braindrive-network", "{module}": "ComponentNetworkStatus", "{share_id}": "1", "{user_id}": "u2"]
        for (index, endpoint) in RouteTable.endpoints.enumerated() {
            var path = endpoint.template
            for (placeholder, value) in samples { path = path.replacingOccurrences(of: placeholder, with: value) }
            let match = RouteTable.matcher.match(path: path)
            #expect(match?.leaf.template == endpoint.template, "\(path)")
            #expect(match?.leaf.endpoints.contains(index) == true, "\(path)")
            #expect(match?.leaf.endpoint(for: endpoint.method) == index, "\(endpoint.method) \(path)")
        }
    }

    /// Parameters come out percent-decoded, by name, whatever their order in the template; an empty
    /// slug segment or a path with more segments than any template matches nothing.
    @Test func parametersAreDecodedByName() {
        let match = RouteTable.matcher.match(path: "/api/plugins/braindrive%2Dnetwork/modules/Com%70onent/enable")
        #expect(match?.leaf.template == "/api/plugins/{slug}/modules/{module}/enable")
        #expect(match?.parameters.value("slug") == "braindrive-network")
        #expect(match?.parameters.value("module") == "Component")
        #expect(match?.parameters.value("share_id") == nil)
        #expect(RouteTable.matcher.match(path: "/api/plugins/shared/")?.parameters.value("share_id") == "")
        #expect(RouteTable.matcher.match(path: "/api/plugins//status") == nil)
        #expect(RouteTable.matcher.match(path: "/api/plugins/a/b/c/d/e/f/g") == nil)
        #expect(RouteTable.matcher.match(path: "/api/plugins") == nil)
    }

    /// The fallback request id (nginx sent none): 32 hex digits, accepted by the id rule, unique.
    @Test func generatedRequestIDsAreUniqueHex() {
        var seen = Set<String>()
        for _ in 0..<100_000 {
            let id = RequestID.generate()
            #expect(id.utf8.count == 32 && RequestID.isAcceptable(id) && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }, "\(id)")
            seen.insert(id)
        }
        #expect(seen.count == 100_000)
        #expect(HTTPRequest(method: "GET", path: "/", requestID: nil).requestID.utf8.count == 32)
        #expect(HTTPRequest(method: "GET", path: "/", requestID: "bad id\n").requestID != "bad id\n")
    }
}
