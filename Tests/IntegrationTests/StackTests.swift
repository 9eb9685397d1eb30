import Foundation
import StoreTestSupport
import Testing

/// Through real nginx and real worker processes, over real sockets.
@Suite(.serialized, .timeLimit(.minutes(10))) struct StackTests {
    let p = "/api/plugins/"

    /// The seed's curl examples, as a user would type them.
    @Test func seedCurlExamples() throws {
        let stack = try Stack(); defer { stack.stop() }
        // curl -X POST -H "Authorization: Bearer $TOKEN" http://localhost/api/plugins/braindrive-network/install
        let install = try stack.request("POST", p + "braindrive-network/install", user: "user123")
        #expect(install.status == 201, "\(install.text)")
        #expect(install.data?["plugin_id"] as? String == "user123_braindrive_network")
        #expect(install.data?["modules_created"] as? [String] == ["user123_braindrive_network_ComponentNetworkStatus",
                                                                  "user123_braindrive_network_ComponentNetworkHistory"])
        // curl -H "Authorization: Bearer $TOKEN" http://localhost/api/plugins/braindrive-network/status
        let status = try stack.get(p + "braindrive-network/status", user: "user123")
        #expect(status.status == 200 && status.data?["status"] as? String == "healthy")
        #expect(status.header("ETag") != nil)
        // curl http://localhost/api/plugins/available
        let available = try stack.get(p + "available")
        #expect(available.status == 200)
        #expect((available.data?["available_plugins"] as? [String: Any])?.count == 4)
        // curl http://localhost/api/plugins/braindrive-network/info
        #expect(try stack.get(p + "braindrive-network/info").data?["plugin_slug"] as? String == "braindrive_network")
        // curl -X POST .../repair ; curl -X DELETE .../uninstall
        #expect(try stack.request("POST", p + "braindrive-network/repair", user: "user123").data?["new_status"] as? String == "healthy")
        let uninstall = try stack.request("DELETE", p + "braindrive-network/uninstall", user: "user123")
        #expect(uninstall.status == 200 && uninstall.data?["uninstalled"] as? [String] == ["braindrive_network"])
        #expect(!stack.exists("plugins/user123/braindrive_network"))
        // Every answer carries nginx's request id, the same one the body names.
        let health = try stack.get(p + "health")
        #expect(health.status == 200 && health.data?["database"] as? String == "ok")
        #expect(health.header("X-Request-Id")?.count == 32)
        let problem = try stack.get(p + "braindrive-network/status")
        #expect(problem.status == 401 && problem.code == "missing_token")
        #expect(problem.json?["request_id"] as? String == problem.header("X-Request-Id"))
    }

    @Test func perAddressRateLimitAnswersProblemWithRetryAfter() throws {
        // A slow refill (2 r/s) so the outcome does not depend on how fast this machine answers
        // (seen: under AddressSanitizer 400 requests took long enough to refill the bucket).
        let stack = try Stack(workers: 1, apiRate: "2r/s"); defer { stack.stop() }
        let tally = Tally()
        let limited = Latest()
        // The burst of 200 goes through; 400 at once from one address must hit the limit.
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<50 {
                guard let result = try? stack.get(p + "health") else { tally.add("error"); continue }
                tally.add(String(result.status))
                if result.status == 429 { limited.set(result) }
            }
        }
        // The Stack's own start-up health checks took a few tokens of the burst.
        #expect((tally.all["200"] ?? 0) >= 150, "\(tally.all)")
        let problem = try #require(limited.value, "\(tally.all)")
        #expect(problem.code == "rate_limited" && problem.header("Retry-After") == "1")
        #expect(problem.header("Content-Type") == "application/problem+json")
    }

    @Test(arguments: TestStore.all) func usersNeverSeeEachOthersPlugins(store: TestStore) throws {
        let stack = try Stack(store: store); defer { stack.stop() }
        #expect(try stack.request("POST", p + "braindrive-chat/install", user: "alice").status == 201)
        #expect(try stack.get(p + "braindrive-chat/status", user: "bob").data?["status"] as? String == "not_installed")
        let bobs = try stack.get(p + "available", user: "bob").data?["available_plugins"] as? [String: [String: Any]]
        #expect(bobs?["braindrive_chat"]?["installed"] as? Bool == false)
        let bobUninstall = try stack.request("DELETE", p + "braindrive-chat/uninstall", user: "bob")
        #expect(bobUninstall.status == 404 && bobUninstall.code == "not_installed")
        #expect(try stack.get(p + "braindrive-chat/status", user: "alice").data?["status"] as? String == "healthy")
        #expect(stack.exists("plugins/alice/braindrive_chat/plugin_metadata.json"))
        #expect(!stack.exists("plugins/bob"))
    }

    @Test(arguments: TestStore.all) func concurrentInstallsFromManyClientsHaveOneWinner(store: TestStore) throws {
        let stack = try Stack(store: store, workers: 2, threads: 4); defer { stack.stop() }
        let token = stack.token("racer")
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: 12) { _ in
            let result = try? stack.request("POST", p + "braindrive-network/install", token: token)
            tally.add(result.map { "\($0.status) \($0.code ?? "")" } ?? "transport error")
        }
        let counts = tally.all
        #expect(counts["201 "] == 1, "\(counts)")
        let refused = (counts["409 already_installed"] ?? 0) + (counts["409 operation_in_progress"] ?? 0)
        #expect(refused == 11, "\(counts)")
        #expect(try stack.get(p + "braindrive-network/status?verify=full", user: "racer").data?["status"] as? String == "healthy")
        #expect(stack.stagingEntries().isEmpty)
    }

    @Test func hostileRequestsGetFourHundredsNeverFiveHundreds() throws {
        let stack = try Stack(); defer { stack.stop() }
        let cases: [(String, String, [String: String], String?, Int, String)] = [
            ("GET", p + "..%2f..%2fetc/status", ["Authorization": "Bearer " + stack.token("u1")], nil, 400, "invalid_slug"),
            ("GET", p + "%2e%2e/status", ["Authorization": "Bearer " + stack.token("u1")], nil, 400, "invalid_slug"),
            ("POST", p + "a%00b/install", ["Authorization": "Bearer " + stack.token("u1")], nil, 400, "invalid_slug"),
            ("POST", p + String(repeating: "a", count: 200) + "/install", ["Authorization": "Bearer " + stack.token("u1")], nil, 400, "invalid_slug"),
            ("GET", p + "braindrive-chat/status", ["Authorization": "Bearer x.y.z"], nil, 401, "invalid_token"),
            ("GET", p + "braindrive-chat/status", ["Authorization": "Basic Zm9vOmJhcg=="], nil, 401, "missing_token"),
            ("GET", p + "available", ["Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ."], nil, 401, "invalid_token"),
            ("POST", p + "braindrive-chat/install", ["Authorization": "Bearer " + stack.token("u1"), "Content-Type": "application/json"], "{\"version\":", 400, "bad_request"),
            ("POST", p + "braindrive-chat/install", ["Authorization": "Bearer " + stack.token("u1"), "Content-Type": "text/plain"], "hello", 415, "unsupported_media_type"),
            ("PUT", p + "braindrive-chat/install", [:], nil, 405, "method_not_allowed"),
            ("GET", p + "braindrive-chat/nope", [:], nil, 404, "not_found"),
            ("GET", "/api/elsewhere", [:], nil, 404, "not_found"),
        ]
        for (method, path, headers, body, status, code) in cases {
            let result = try stack.request(method, path, headers: headers, body: body)
            #expect(result.status == status && result.code == code, "\(method) \(path): \(result.status) \(result.text)")
            #expect(result.header("Content-Type")?.hasPrefix("application/problem+json") == true, "\(path)")
        }
        let big = try httpRequest(port: stack.port, method: "POST", path: p + "braindrive-chat/install",
                                  headers: ["Authorization": "Bearer " + stack.token("u1"), "Content-Type": "application/json"],
                                  body: Array(repeating: 0x20, count: 2 << 20))
        #expect(big.status == 413 && big.code == "payload_too_large", "\(big.text)")
        #expect(try stack.get(p + "health").status == 200, "the workers survived all of it")
        let log = try String(contentsOfFile: stack.poolLog, encoding: .utf8)
        #expect(!log.contains("Fatal error"), "no worker crashed")
    }
}

/// The rest of the contract through nginx and the pool.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ContractStackTests {
    let p = "/api/plugins/"

    @Test(arguments: TestStore.all) func twoUsersUpdatingAndSharingConcurrentlyStayApart(store: TestStore) throws {
        let stack = try Stack(store: store, workers: 2, threads: 4, apiRate: "100000r/s"); defer { stack.stop() }
        let users = ["anna", "bert"]
        let tally = Tally()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let me = users[index], other = users[1 - index]
            let token = stack.token(me)
            for round in 0..<4 {
                let version = round % 2 == 0 ? "1.0.0" : "1.1.0"
                if round == 0 {
                    let r = try? stack.request("POST", p + "braindrive-network/install", token: token, body: #"{"version":"1.0.0"}"#)
                    tally.add("\(me) install \(r?.status ?? 0)")
                } else {
                    let r = try? stack.request("PUT", p + "braindrive-network/update", token: token, body: "{\"version\":\"\(version)\"}")
                    tally.add("\(me) update \(r?.status ?? 0)")
                }
                let s = try? stack.request("POST", p + "braindrive-network/share", token: token, body: "{\"user_ids\":[\"\(other)\"]}")
                tally.add("\(me) share \(s?.status ?? 0)")
            }
        }
        #expect(tally.all.keys.allSatisfy { $0.hasSuffix(" 200") || $0.hasSuffix(" 201") }, "\(tally.all)")
        for (me, other) in [("anna", "bert"), ("bert", "anna")] {
            let installed = try stack.get(p + "installed", user: me).data?["installed_plugins"] as? [[String: Any]]
            #expect(installed?.count == 1 && installed?.first?["plugin_id"] as? String == "\(me)_braindrive_network")
            #expect(installed?.first?["version"] as? String == "1.1.0" && installed?.first?["status"] as? String == "healthy")
            let inbox = try stack.get(p + "shared", user: me).data?["shares"] as? [[String: Any]]
            #expect(inbox?.count == 1 && inbox?.first?["from_user"] as? String == other, "one refreshed offer, from the other user")
            let metadata = try String(contentsOfFile: stack.dataDir + "/plugins/\(me)/braindrive_network/plugin_metadata.json", encoding: .utf8)
            #expect(metadata.contains("\"user_id\" : \"\(me)\"") && !metadata.contains(other))
        }
        #expect(stack.stagingEntries().isEmpty)
    }

    @Test(arguments: TestStore.all) func publishedVersionIsServedWithoutARestart(store: TestStore) throws {
        let stack = try Stack(store: store, workers: 2); defer { stack.stop() }
        let package = stack.root + "/chat-2.0.0"
        try FileManager.default.copyItem(atPath: Stack.repository + "/deploy/catalog/braindrive-chat/1.0.0", toPath: package)
        let manifest = try String(contentsOfFile: package + "/plugin.json", encoding: .utf8)
            .replacingOccurrences(of: "\"version\": \"1.0.0\"", with: "\"version\": \"2.0.0\"")
        try manifest.write(toFile: package + "/plugin.json", atomically: true, encoding: .utf8)
        let published = try stack.cli(["publish", package])
        #expect(published.status == 0 && published.output.contains("published braindrive_chat 2.0.0"), "\(published.output)")
        #expect(try stack.cli(["publish", package]).status == 1, "a published version is never overwritten")
        // How soon is the catalog's recheck interval (CatalogFreshnessTests), not this machine's load.
        var latest: String?
        _ = try eventually {
            latest = try stack.get(p + "braindrive-chat/versions").data?["latest"] as? String
            return latest == "2.0.0"
        }
        #expect(latest == "2.0.0", "every worker sees the new version")
        #expect(try stack.request("POST", p + "braindrive-chat/install", user: "u9").data?["version"] as? String == "2.0.0")
    }

    @Test(arguments: TestStore.all) func updateEnableAuditAndBulkThroughNginx(store: TestStore) throws {
        let stack = try Stack(store: store, workers: 2); defer { stack.stop() }
        #expect(try stack.request("POST", p + "braindrive-network/install", user: "u1", body: #"{"version":"1.0.0"}"#).status == 201)
        #expect(try stack.get(p + "updates", user: "u1").data?["total_count"] as? Int == 1)
        let update = try stack.request("PUT", p + "braindrive-network/update", user: "u1")
        #expect(update.data?["modules_added"] as? [String] == ["u1_braindrive_network_ComponentNetworkHistory"])
        #expect(try stack.request("POST", p + "braindrive-network/modules/ComponentNetworkHistory/disable", user: "u1").status == 200)
        let versions = try stack.get(p + "braindrive-settings/versions")
        #expect((versions.data?["versions"] as? [[String: Any]])?.first?["version"] as? String == "1.0.10")
        let admin = stack.token("boss", admin: true)
        let bulk = try stack.request("POST", p + "braindrive-library/bulk-install", token: admin, body: #"{"user_ids":["u2","u3"]}"#)
        #expect(bulk.data?["succeeded"] as? Int == 2, "\(bulk.text)")
        #expect(try stack.request("POST", p + "braindrive-library/bulk-install", user: "u1", body: #"{"user_ids":["u2"]}"#).code == "forbidden")
        let audit = try stack.get(p + "audit?limit=3", user: "u1")
        #expect((audit.data?["events"] as? [[String: Any]])?.map { $0["action"] as? String } == ["disable:ComponentNetworkHistory", "update", "install"])
        #expect((audit.data?["events"] as? [[String: Any]])?.first?["request_id"] as? String != nil)
        #expect(try stack.request("DELETE", p + "users/u2", token: admin).data?["uninstalled"] as? [String] != nil)
    }
}
