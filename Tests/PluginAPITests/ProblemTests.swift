import Foundation
import PluginAPI
import Testing

@Suite(.timeLimit(.minutes(10))) struct ProblemTests {
    let p = "/api/plugins/"

    func expectProblem(_ r: HTTPResponse, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, sourceLocation: sourceLocation)
        #expect(r.code == code, sourceLocation: sourceLocation)
        #expect(r.header("Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
        #expect(r.header("X-Request-Id") == "req-1", sourceLocation: sourceLocation)
        let body = String(decoding: r.body, as: UTF8.self)
        #expect(!body.contains("/tmp") && !body.contains("/work"), "never an absolute path: \(body)", sourceLocation: sourceLocation)
        #expect(r.jsonObject?["type"] as? String == "about:blank", sourceLocation: sourceLocation)
        #expect(r.jsonObject?["request_id"] as? String == "req-1", sourceLocation: sourceLocation)
        #expect(r.jsonObject?["title"] is String && r.jsonObject?["detail"] is String, sourceLocation: sourceLocation)
    }

    @Test func unknownRoutesAndMethods() throws {
        let f = try APIFixture(); defer { f.remove() }
        expectProblem(f.send("GET", p + "braindrive-network/frobnicate", user: "u1"), 404, "not_found")
        expectProblem(f.send("GET", "/api/other"), 404, "not_found")
        expectProblem(f.send("GET", p + "a/b/c/d"), 404, "not_found")
        let wrong = f.send("GET", p + "braindrive-network/install")
        expectProblem(wrong, 405, "method_not_allowed")
        #expect(wrong.header("Allow") == "POST")
        #expect(f.send("POST", p + "available").header("Allow") == "GET")
        // Route and method come before identity.
        expectProblem(f.send("PUT", p + "braindrive-network/uninstall"), 405, "method_not_allowed")
    }

    @Test func identityProblems() throws {
        let f = try APIFixture(); defer { f.remove() }
        let missing = f.send("POST", p + "braindrive-network/install")
        expectProblem(missing, 401, "missing_token")
        #expect(missing.header("WWW-Authenticate") == "Bearer realm=\"plugins\"")
        let invalid = f.send("POST", p + "braindrive-network/install", authorization: "Bearer not.a.token")
        expectProblem(invalid, 401, "invalid_token")
        #expect(invalid.header("WWW-Authenticate") == "Bearer realm=\"plugins\", error=\"invalid_token\"")
        let expired = f.send("GET", p + "braindrive-network/status", authorization: "Bearer " + APIFixture.token("u1", ttl: -3600))
        expectProblem(expired, 401, "expired_token")
        // A bad token on a public route is refused, never an anonymous view.
        expectProblem(f.send("GET", p + "available", authorization: "Bearer garbage"), 401, "invalid_token")
        expectProblem(f.send("GET", p + "braindrive-network/info", authorization: "Basic dTpw"), 401, "missing_token")
        // Identity is checked before the slug.
        expectProblem(f.send("GET", p + "..%2f/status"), 401, "missing_token")
    }

    @Test func badSlugsNeverReachTheDisk() throws {
        let f = try APIFixture(); defer { f.remove() }
        for slug in ["..", "%2e%2e", "%2E%2E%2Fetc", "a%2Fb", "a%00b", "%252e%252e", "-lead", String(repeating: "x", count: 65), "sp%20ace", "%ff"] {
            expectProblem(f.send("POST", p + slug + "/install", user: "u1"), 400, "invalid_slug")
            expectProblem(f.send("GET", p + slug + "/status", user: "u1"), 400, "invalid_slug")
        }
        #expect(f.send("GET", p + "braindrive-network/status", user: "u1").status == 200)
    }

    @Test func bodyProblems() throws {
        let f = try APIFixture(); defer { f.remove() }
        expectProblem(f.send("POST", p + "braindrive-chat/install", user: "u1", body: "{not json"), 400, "bad_request")
        expectProblem(f.send("POST", p + "braindrive-chat/install", user: "u1", body: "[1,2]"), 400, "bad_request")
        expectProblem(f.send("POST", p + "braindrive-chat/install", user: "u1", body: "version=1", contentType: "application/x-www-form-urlencoded"), 415, "unsupported_media_type")
        expectProblem(f.send("POST", p + "braindrive-chat/install", user: "u1", bodyTooLarge: true), 413, "payload_too_large")
        // An absent body is {}.
        #expect(f.send("POST", p + "braindrive-chat/install", user: "u1").status == 201)
        expectProblem(f.send("GET", p + "braindrive-chat/status", user: "u1", query: ["verify": "bogus"]), 400, "bad_request")
    }

    @Test func lifecycleProblems() throws {
        let f = try APIFixture(); defer { f.remove() }
        expectProblem(f.send("POST", p + "no-such-plugin/install", user: "u1"), 404, "plugin_not_found")
        expectProblem(f.send("GET", p + "no-such-plugin/status", user: "u1"), 404, "plugin_not_found")
        expectProblem(f.send("DELETE", p + "braindrive-chat/uninstall", user: "u1"), 404, "not_installed")
        expectProblem(f.send("POST", p + "braindrive-chat/repair", user: "u1"), 404, "not_installed")
        f.send("POST", p + "braindrive-chat/install", user: "u1")
        let twice = f.send("POST", p + "braindrive-chat/install", user: "u1")
        expectProblem(twice, 409, "already_installed")
        #expect((twice.jsonObject?["detail"] as? String)?.contains("version 1.0.0") == true)
        #expect(twice.jsonObject?["instance"] as? String == "/api/plugins/braindrive-chat/install")
        f.send("POST", p + "braindrive-library/install", user: "u1")
        let inUse = f.send("DELETE", p + "braindrive-chat/uninstall", user: "u1")
        expectProblem(inUse, 409, "dependency_in_use")
        #expect((inUse.jsonObject?["detail"] as? String)?.contains("braindrive_library") == true)
    }

    @Test func isolationThroughTheAPI() throws {
        let f = try APIFixture(); defer { f.remove() }
        f.send("POST", p + "braindrive-network/install", user: "alice")
        #expect(f.send("GET", p + "braindrive-network/status", user: "bob").data?["status"] as? String == "not_installed")
        expectProblem(f.send("DELETE", p + "braindrive-network/uninstall", user: "bob"), 404, "not_installed")
        #expect(f.send("GET", p + "braindrive-network/status", user: "alice").data?["status"] as? String == "healthy")
        // A hyphenated UUID subject is the same user as its 32-hex form.
        let uuid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        f.send("POST", p + "braindrive-chat/install", user: uuid)
        #expect(f.send("GET", p + "braindrive-chat/status", user: uuid.replacingOccurrences(of: "-", with: "")).data?["status"] as? String == "healthy")
    }
}
