import Foundation
import PluginAPI
import Telemetry
import Testing

/// The request log, the lifecycle log and the counters as the API feeds them, and the operator
/// routes that read the counters back (in-process; the pool-wide sums are in IntegrationTests).
@Suite(.timeLimit(.minutes(10))) struct TelemetryRouteTests {
    let p = "/api/plugins/"

    @Test func everyRequestIsOneLogLineWithoutTheToken() throws {
        let f = try APIFixture(telemetry: true); defer { f.remove() }
        f.send("POST", p + "braindrive-network/install", user: "u1")
        f.send("GET", p + "braindrive-network/status", user: "u1")
        f.send("GET", p + "braindrive-network/status", authorization: "Bearer not.a.token")
        f.send("GET", p + "no/such/route/here")
        let lines = try f.logLines()
        let requests = lines.filter { $0["msg"] as? String == "request" }
        #expect(requests.count == 4)
        #expect(requests[0]["route"] as? String == "/api/plugins/{slug}/install" && requests[0]["status"] as? Int == 201)
        #expect(requests[0]["user"] as? String == "u1" && requests[0]["slug"] as? String == "braindrive-network")
        #expect(requests[0]["method"] as? String == "POST" && requests[0]["request_id"] as? String == "req-1")
        #expect(requests[0]["worker_pid"] as? Int == Int(getpid()) && requests[0]["duration_ms"] is Double)
        #expect(requests[2]["status"] as? Int == 401 && requests[2]["user"] is NSNull, "a refused token names no user")
        #expect(requests[3]["route"] as? String == "unmatched" && requests[3]["status"] as? Int == 404)
        // The install (with its dependency, if any) was logged as lifecycle changes once committed.
        let changes = lines.filter { $0["msg"] as? String == "lifecycle" }
        #expect(changes.map { $0["action"] as? String } == ["install"])
        #expect(changes.first?["user"] as? String == "u1" && changes.first?["to_version"] as? String != nil)
        let text = try String(contentsOfFile: f.logPath, encoding: .utf8)
        #expect(!text.contains(APIFixture.token("u1")) && !text.contains("not.a.token") && !text.contains("Bearer"))
    }

    @Test func metricsCountRoutesStatusesAndOperationOutcomes() throws {
        let f = try APIFixture(telemetry: true); defer { f.remove() }
        f.send("POST", p + "braindrive-network/install", user: "u1")
        f.send("POST", p + "braindrive-network/install", user: "u1")      // 409 already_installed
        f.send("POST", p + "braindrive-network/install")                  // 401: not an operation outcome
        f.send("DELETE", p + "braindrive-chat/uninstall", user: "u1")      // 404 not_installed
        f.send("POST", p + "braindrive-network/bulk-install", user: "u1", body: #"{"user_ids":["u2"]}"#)  // 403
        let snapshot = try f.metrics.snapshot()
        #expect(snapshot.requests(route: "/api/plugins/{slug}/install", status: 201) == 1)
        #expect(snapshot.requests(route: "/api/plugins/{slug}/install", status: 409) == 1)
        #expect(snapshot.requests(route: "/api/plugins/{slug}/install", status: 401) == 1)
        #expect(snapshot.operations("install", outcome: "success") == 1)
        #expect(snapshot.operations("install", outcome: "already_installed") == 1)
        #expect(snapshot.operations("uninstall", outcome: "not_installed") == 1)
        #expect(snapshot.operations("bulk_install", outcome: "forbidden") == 1)
        #expect(snapshot.requests == 5)

        let metrics = f.send("GET", p + "metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers.first { $0.name == "Content-Type" }?.value == PrometheusExposition.contentType)
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(text.contains(#"plugin_lifecycle_operations_total{operation="install",outcome="already_installed"} 1"#))
        #expect(text.contains(#"plugin_lifecycle_http_requests_total{route="/api/plugins/{slug}/install",code="201"} 1"#))
        #expect(text.contains("plugin_lifecycle_pool_workers 1"))

        let pool = f.send("GET", p + "metrics/pool", query: ["full": ""])
        let poolText = String(decoding: pool.body, as: UTF8.self)
        #expect(pool.status == 200 && poolText.contains("pid:                   \(getpid())"), "\(poolText)")
        let json = f.send("GET", p + "metrics/pool", query: ["json": ""])
        #expect((try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any])?["workers"] as? Int == 1)
        #expect(f.send("POST", p + "metrics").status == 405)
        #expect(f.send("GET", p + "metrics/other").status == 404)
    }

    @Test func withoutAMetricsFolderTheOperatorRoutesAreNotThere() throws {
        let f = try APIFixture(); defer { f.remove() }
        #expect(f.send("GET", p + "metrics").code == "not_found")
        #expect(f.send("GET", p + "metrics/pool").code == "not_found")
    }
}
