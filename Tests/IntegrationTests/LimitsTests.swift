import Foundation
import Testing

/// The operational limits of the shipped nginx config and of the pool, end to end: header sizes,
/// per-user rates, and the workers' request deadline.
@Suite(.serialized, .timeLimit(.minutes(10))) struct LimitsTests {
    let p = "/api/plugins/"

    @Test func oversizedHeadersAreRefusedWithProblemJSONNotHTML() throws {
        let stack = try Stack(workers: 1); defer { stack.stop() }
        let kib8 = String(repeating: "a", count: 8 * 1024)
        let cases: [(String, [String: String], String)] = [
            ("8 KiB bearer token", ["Authorization": "Bearer " + kib8], p + "available"),
            ("all headers over 16 KiB", ["X-A": String(kib8.prefix(6000)), "X-B": String(kib8.prefix(6000)),
                                         "X-C": String(kib8.prefix(6000))], p + "health"),
            ("request line over 8 KiB", [:], p + kib8 + "/status"),
        ]
        for (name, headers, path) in cases {
            let result = try stack.get(path, headers: headers)
            #expect(result.status == 400 && result.code == "bad_request", "\(name): \(result.status) \(result.text)")
            #expect(result.header("Content-Type") == "application/problem+json", "\(name)")
            #expect(result.json?["request_id"] as? String == result.header("X-Request-Id"), "\(name)")
        }
        // Just under the line limit, a (bogus) token reaches the worker and is refused there as a
        // token: a 4xx problem, never a 5xx.
        let nearLimit = try stack.get(p + "available", headers: ["Authorization": "Bearer " + String(kib8.prefix(7 * 1024))])
        #expect((400..<500).contains(nearLimit.status), "\(nearLimit.status) \(nearLimit.text)")
        #expect(nearLimit.header("Content-Type") == "application/problem+json")
        // Ordinary requests are untouched by the caps.
        #expect(try stack.get(p + "available", user: "sizes").status == 200)
    }

    @Test func oneUsersBurstDoesNotStarveAnotherUserOnTheSameAddress() throws {
        // 1r/s: the 200-request burst is all user A gets in this test.
        let stack = try Stack(workers: 2, apiRate: "1r/s"); defer { stack.stop() }
        let tokenA = stack.token("hammer"), tokenB = stack.token("bystander")
        let tally = Tally()
        let limited = Latest()
        let started = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            for _ in 0..<45 {
                guard let result = try? stack.get(p + "health", headers: ["Authorization": "Bearer " + tokenA]) else {
                    tally.add("error"); continue
                }
                tally.add(String(result.status))
                if result.status == 429 { limited.set(result) }
            }
        }
        let counts = tally.all
        // The bucket lets through the burst plus one a second: however long this machine took.
        let allowed = 200 + 1 + Int((ContinuousClock.now - started).components.seconds)
        let passed = counts["200"] ?? 0, refused = counts["429"] ?? 0
        #expect(passed >= 200 && passed <= allowed && refused > 0, "\(counts), at most \(allowed) allowed")
        let problem = try #require(limited.value, "\(counts)")
        #expect(problem.code == "rate_limited" && problem.header("Retry-After") != nil)
        #expect(problem.header("Content-Type") == "application/problem+json")
        // A is still limited; B, from the same address, is not; neither is an anonymous request.
        #expect(try stack.get(p + "health", headers: ["Authorization": "Bearer " + tokenA]).status == 429)
        for _ in 0..<20 {
            let bystander = try stack.get(p + "available", headers: ["Authorization": "Bearer " + tokenB])
            #expect(bystander.status == 200, "\(bystander.text)")
        }
        #expect(try stack.get(p + "health").status == 200)
    }

    /// php-fpm's request_terminate_timeout: an install stuck in its handler (a 30 s pause at a
    /// fault point) is cut at `--request-timeout 2`; the worker exits, is replaced, and the
    /// interrupted install is rolled back by the next request for that plugin.
    @Test func aStuckRequestEndsItsWorkerAndIsRolledBack() throws {
        let stack = try Stack(workers: 2, threads: 2); defer { stack.stop() }
        // The same data, socket and nginx, behind a pool with the fault and the short deadline.
        stack.pool.terminate(); stack.pool.waitUntilExit()
        let stuckPool = try ExtraPool(stack, arguments: ["--request-timeout", "2"],
                                      environment: ["PLUGIN_LIFECYCLE_FAULT": "install.staged:sleep=30"])
        defer { stuckPool.stop() }
        let before = Set(stuckPool.workerPIDs())

        let started = ContinuousClock.now
        let cut = try stack.request("POST", p + "braindrive-network/install", user: "stuck")
        let took = ContinuousClock.now - started
        #expect(cut.status == 502 || cut.status == 504, "\(cut.status) \(cut.text)")
        #expect(cut.header("Content-Type") == "application/problem+json" && cut.code == "unavailable", "\(cut.text)")
        // Only the lower bound is the behaviour: a request is never cut before its deadline.
        #expect(took >= .milliseconds(1900), "answered after \(took)")

        // One worker ended itself and was replaced; the log names the request.
        #expect(stuckPool.eventually {
            let now = Set(stuckPool.workerPIDs())
            return now.count == 2 && now.intersection(before).count == 1
        }, "\(before) -> \(stuckPool.workerPIDs())")
        let log = (try? String(contentsOfFile: stack.poolLog, encoding: .utf8)) ?? ""
        #expect(log.contains("request exceeded the request timeout") && log.contains("braindrive-network/install"))
        #expect(log.contains("exit \(70)"), "the master saw the worker's request-timeout exit status")

        // Nothing was committed: the plugin is not installed, and its files never appeared.
        let status = try stack.get(p + "braindrive-network/status", user: "stuck")
        #expect(status.status == 200 && status.data?["status"] as? String == "not_installed", "\(status.text)")
        #expect(!stack.exists("plugins/stuck/braindrive_network"))
        // Status rolled the dead install back: nothing of it is left.
        #expect(stack.stagingEntries().isEmpty, "\(stack.stagingEntries())")

        // Without the fault, the same install goes through.
        stuckPool.stop()
        let pool = try ExtraPool(stack, arguments: [], environment: [:])
        defer { pool.stop() }
        // It takes over the dead owner's lease (rolling the interrupted install back) and installs.
        let install = try stack.request("POST", p + "braindrive-network/install", user: "stuck")
        #expect(install.status == 201, "\(install.text)")
        #expect(stack.stagingEntries().isEmpty, "\(stack.stagingEntries())")
        #expect(try stack.get(p + "braindrive-network/status?verify=full", user: "stuck").data?["status"] as? String == "healthy")
    }
}

/// A second `serve` on a stack's data directory and socket (after the stack's own pool was
/// stopped), with extra arguments and environment; its log goes to the stack's pool log.
final class ExtraPool: @unchecked Sendable {
    let process = Process()

    init(_ stack: Stack, workers: Int = 2, arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: Stack.binary)
        process.arguments = ["serve", "--data-dir", stack.dataDir, "--socket", stack.socketPath,
                             "--workers", String(workers), "--threads", "2", "--drain-timeout", "5"] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let log = FileHandle(forWritingAtPath: stack.poolLog)
        log?.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = log
        try process.run()
        let ready = eventually {
            (try? stack.get("/api/plugins/health"))?.status == 200 && self.workerPIDs().count == workers
        }
        if !ready {
            stop()
            throw StackError.failed("the extra pool did not become healthy")
        }
    }

    func workerPIDs() -> [pid_t] {
        let pid = process.processIdentifier
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { pid_t($0) }
    }

    func eventually(within seconds: Double = hangDeadline, _ condition: () -> Bool) -> Bool {
        IntegrationTests.eventually(within: seconds, condition)
    }


    func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}
