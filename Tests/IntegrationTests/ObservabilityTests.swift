import Foundation
import Testing

/// Logs and metrics of the real pool through nginx: every worker's counters summed, kept across a
/// worker's death, and one JSON line per request and per lifecycle change in the pool's stderr.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ObservabilityTests {
    let p = "/api/plugins/"

    func metricValue(_ text: String, _ series: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Int(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// A request is counted just after its response is sent: read a series until it holds still.
    func settled(_ stack: Stack, _ series: String) throws -> Int? {
        var last = metricValue(try stack.get(p + "metrics").text, series)
        for _ in 0..<50 {
            usleep(100_000)
            let now = metricValue(try stack.get(p + "metrics").text, series)
            if now == last { return now }
            last = now
        }
        return last
    }

    @Test func metricsAreSummedOverWorkersAndSurviveAKilledWorker() throws {
        let stack = try Stack(workers: 2, threads: 2, apiRate: "100000r/s"); defer { stack.stop() }
        let healthSeries = #"plugin_lifecycle_http_requests_total{route="/api/plugins/health",code="200"}"#
        let baseline = try settled(stack, healthSeries) ?? 0
        // Health answers name their worker: send concurrent batches until both workers have answered some.
        let answeredBy = Tally()
        _ = eventually {
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                for _ in 0..<10 {
                    let pid = (try? stack.get(p + "health"))?.data?["worker_pid"] as? Int
                    answeredBy.add(pid.map(String.init) ?? "failed")
                }
            }
            return answeredBy.all.count >= 2
        }
        let sent = answeredBy.all.values.reduce(0, +)
        #expect(answeredBy.all["failed"] == nil && answeredBy.all.count == 2, "both workers answered: \(answeredBy.all)")
        #expect(try stack.request("POST", p + "braindrive-network/install", user: "u1").status == 201)
        #expect(try stack.request("POST", p + "braindrive-network/install", user: "u1").status == 409)

        // Each is counted just after its response is sent: wait for the last one's count.
        var first = try stack.get(p + "metrics")
        #expect(try eventually {
            first = try stack.get(p + "metrics")
            return metricValue(first.text, healthSeries) == baseline + sent
                && metricValue(first.text, #"plugin_lifecycle_operations_total{operation="install",outcome="already_installed"}"#) == 1
        }, "every worker's count is in the sum: \(first.text)")
        #expect(first.status == 200 && first.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(metricValue(first.text, #"plugin_lifecycle_operations_total{operation="install",outcome="success"}"#) == 1)
        #expect(metricValue(first.text, #"plugin_lifecycle_operations_total{operation="install",outcome="already_installed"}"#) == 1)
        #expect(metricValue(first.text, "plugin_lifecycle_pool_workers") == 2)
        #expect(metricValue(first.text, "plugin_lifecycle_pool_workers_alive") == 2)
        #expect(metricValue(first.text, "plugin_lifecycle_worker_restarts_total") == 0)

        // The pool view names both workers, and their requests add up to the total.
        let pool = try #require(try stack.get(p + "metrics/pool?json&full").json)
        let processes = try #require(pool["processes"] as? [[String: Any]])
        #expect(Set(processes.compactMap { $0["pid"] as? Int }) == Set(stack.workerPIDs().map(Int.init)))
        #expect(processes.compactMap { $0["requests"] as? Int }.reduce(0, +) == pool["accepted_conn"] as? Int)

        // A worker that answered some of them dies: its counts stay in the totals, the restart is counted.
        let victim = try #require(stack.workerPIDs().first { answeredBy.all[String($0)] != nil })
        kill(victim, SIGKILL)
        _ = eventually { stack.workerPIDs().count == 2 && !stack.workerPIDs().contains(victim) }
        var after = try stack.get(p + "metrics").text
        _ = try eventually {
            after = try stack.get(p + "metrics").text
            return metricValue(after, "plugin_lifecycle_worker_restarts_total") == 1
        }
        #expect(metricValue(after, "plugin_lifecycle_worker_restarts_total") == 1)
        #expect(metricValue(after, healthSeries) == baseline + sent, "the dead worker's counts were kept")
        #expect(metricValue(after, #"plugin_lifecycle_operations_total{operation="install",outcome="success"}"#) == 1)
    }

    @Test func thePoolLogsOneJSONLinePerRequestAndChangeAndNoToken() throws {
        let stack = try Stack(workers: 2, threads: 2, apiRate: "100000r/s"); defer { stack.stop() }
        let token = stack.token("u7")
        let answers = [
            try stack.request("POST", p + "braindrive-network/install", token: token),
            try stack.request("PUT", p + "braindrive-network/update", token: token, body: #"{"version":"1.0.0"}"#),
            try stack.request("GET", p + "braindrive-network/status", token: "bad.token.here"),
            try stack.request("DELETE", p + "braindrive-network/uninstall", token: token),
        ]
        #expect(answers.map(\.status) == [201, 200, 401, 200])
        // Lines are written just after each response is sent: wait for every answer's line.
        let ids = answers.compactMap { $0.header("X-Request-Id") }
        #expect(ids.count == 4 && eventually {
            let log = (try? String(contentsOfFile: stack.poolLog, encoding: .utf8)) ?? ""
            let logged = log.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }.filter { $0["msg"] as? String == "request" }.compactMap { $0["request_id"] as? String }
            return Set(ids).isSubset(of: logged)
        })

        let text = try String(contentsOfFile: stack.poolLog, encoding: .utf8)
        #expect(!text.contains(token) && !text.contains("bad.token.here"), "no token is ever logged")
        // Every line the pool wrote is one JSON object (nginx shares the file only for start-up notes).
        var lines: [[String: Any]] = []
        for line in text.split(separator: "\n") where line.hasPrefix("{") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            lines.append(try #require(object, "not JSON: \(line)"))
        }
        // One line per request, found by the X-Request-Id the client saw (two workers: the lines'
        // order is the order their writes happened, not the order of the requests).
        let requests = lines.filter { $0["msg"] as? String == "request" && $0["route"] as? String != "/api/plugins/health" }
        #expect(requests.count == 4)
        let byID = Dictionary(requests.compactMap { line in (line["request_id"] as? String).map { ($0, line) } }) { first, _ in first }
        let routes = answers.map { answer in
            byID[answer.header("X-Request-Id") ?? "-"].map { "\($0["method"] ?? "") \($0["route"] ?? "") \($0["status"] ?? "")" } ?? "missing"
        }
        #expect(routes == ["POST /api/plugins/{slug}/install 201", "PUT /api/plugins/{slug}/update 200",
                           "GET /api/plugins/{slug}/status 401", "DELETE /api/plugins/{slug}/uninstall 200"], "\(routes)")
        #expect(requests.allSatisfy { ($0["worker_pid"] as? Int).map { stack.workerPIDs().contains(pid_t($0)) } == true })
        let users = answers.map { byID[$0.header("X-Request-Id") ?? "-"]?["user"] }
        #expect(users[0] as? String == "u7" && users[2] is NSNull, "a refused token names no user")
        let changes = lines.filter { $0["msg"] as? String == "lifecycle" }.map { $0["action"] as? String ?? "" }
        #expect(changes == ["install", "update", "uninstall"], "\(changes)")
        #expect(lines.contains { $0["msg"] as? String == "supervisor starting" }, "the master logs JSON too")
    }

    @Test func metricsAreRefusedToAnyoneButLoopbackByNginx() throws {
        // nginx allows 127.0.0.1 and ::1 only: a client connecting from 127.0.0.2 (loopback to the
        // kernel, another address to nginx) stands in for any other host.
        let stack = try Stack(workers: 1); defer { stack.stop() }
        let spellings = ["metrics", "metrics/pool", "metrics?x=1", "METRICS", "%6detrics", "/metrics", "x/../metrics",
                         "metrics/../health", "./metrics/pool", "metrics/", "Metrics/Pool?full"]
        for spelling in spellings {
            let refused = try httpRequest(port: stack.port, method: "GET", path: p + spelling, source: "127.0.0.2")
            #expect(refused.status == 403 && refused.code == "forbidden", "\(spelling): \(refused.status) \(refused.text)")
            #expect(refused.header("Content-Type")?.hasPrefix("application/problem+json") == true)
        }
        // Only the metrics are loopback-only: a slug that starts with "metrics" and health are not.
        let slug = try httpRequest(port: stack.port, method: "GET", path: p + "metrics_dashboard/info", source: "127.0.0.2")
        #expect(slug.status == 404 && slug.code == "plugin_not_found", "an ordinary slug route: \(slug.text)")
        #expect(try httpRequest(port: stack.port, method: "GET", path: p + "health", source: "127.0.0.2").status == 200)
        #expect(try stack.get(p + "metrics").status == 200)
        #expect(try stack.get(p + "metrics/pool?full").status == 200)
    }
}
