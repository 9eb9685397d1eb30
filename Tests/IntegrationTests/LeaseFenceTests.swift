import Foundation
import Testing

/// Two hosts on one data directory: two `serve` pools with different `--host-id`, each on its own
/// socket (FastCGI straight to the socket, as nginx would send it). Host A stalls (SIGSTOP of its
/// whole process group) with its copy swapped in; host B rolls A's operation back once A's lease
/// deadline passes and installs anew; when A goes on, nothing of it lands.
@Suite(.serialized, .timeLimit(.minutes(10))) struct LeaseFenceTests {
    static let ttl = 3.0
    /// The stated recovery bound: a stalled host's operation is rolled back within ttl + 2 s of its
    /// last renewal (docs/scale-out.md).
    static let bound = ttl + 2

    /// A `serve` pool in a process group of its own (setsid), so the test can stop the whole host.
    final class Host: @unchecked Sendable {
        let process = Process()
        let socket: String
        let log: String

        /// `defaultSocket`: no `--socket`, so the pool listens on its host's `DATA_DIR/run/<host>/fcgi.sock`.
        init(_ name: String, dataDir: String, folder: String, environment: [String: String] = [:], defaultSocket: Bool = false) throws {
            socket = defaultSocket ? dataDir + "/run/\(name)/fcgi.sock" : folder + "/\(name).sock"
            log = folder + "/\(name).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: Stack.binary)
            process.arguments = ["serve", "--data-dir", dataDir] + (defaultSocket ? [] : ["--socket", socket]) + ["--workers", "1",
                                 "--host-id", name, "--lease-ttl", String(Int(LeaseFenceTests.ttl)), "--drain-timeout", "2"]
            var env = ProcessInfo.processInfo.environment
            env.removeValue(forKey: "PLUGIN_LIFECYCLE_FAULT")
            process.environment = env.merging(environment) { $1 }
            process.standardOutput = FileHandle(forWritingAtPath: log)
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
        }

        /// Foundation starts a child in a process group of its own, which the master's workers join:
        /// the whole host. Nil if not (never signal the test's own group).
        var group: pid_t? {
            let pid = process.processIdentifier
            return getpgid(pid) == pid && pid != getpgrp() ? pid : nil
        }

        func signal(_ number: Int32) -> Bool { group.map { kill(-$0, number) == 0 } ?? false }

        func stop() {
            _ = signal(SIGCONT)
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }

        /// One request through this host's socket: (HTTP status, body).
        func request(_ method: String, _ path: String, token: String) throws -> (status: Int, body: String) {
            let client = Process()
            client.executableURL = URL(fileURLWithPath: "/usr/bin/cgi-fcgi")
            client.arguments = ["-bind", "-connect", socket]
            client.environment = ["REQUEST_METHOD": method, "REQUEST_URI": path, "SCRIPT_NAME": path, "QUERY_STRING": "",
                                  "CONTENT_LENGTH": "0", "HTTP_AUTHORIZATION": "Bearer " + token]
            let pipe = Pipe()
            client.standardOutput = pipe
            client.standardInput = FileHandle.nullDevice
            client.standardError = FileHandle.nullDevice
            try client.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            client.waitUntilExit()
            let status = output.hasPrefix("Status: ") ? Int(output.dropFirst(8).prefix(3)) ?? 0 : (output.isEmpty ? 0 : 200)
            return (status, output)
        }

        func waitUntilServing(token: String) -> Bool {
            eventually(within: 20) { (try? self.request("GET", "/api/plugins/health", token: token).status) == 200 }
        }
    }

    final class Answer: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: (status: Int, body: String)?
        func set(_ value: (status: Int, body: String)) { lock.lock(); stored = value; lock.unlock() }
        var value: (status: Int, body: String)? { lock.lock(); defer { lock.unlock() }; return stored }
    }

    func metadataOperation(_ folder: String) -> String? {
        guard let data = FileManager.default.contents(atPath: folder + "/plugin_metadata.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["operation_id"] as? String
    }

    @Test func aStalledHostIsFencedAndAnotherHostRollsItBackWithinTheBound() throws {
        let dataDir = try Stack.initializedDataDirectory(prefix: "lc-fence")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let token = try Stack.run(["token", "fenced", "--data-dir", dataDir]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let hold = try FaultHold("install.after-swap")
        let a = try Host("hA", dataDir: dataDir, folder: hold.folder, environment: hold.environment)
        defer { a.stop() }
        let b = try Host("hB", dataDir: dataDir, folder: hold.folder)
        defer { b.stop() }
        #expect(a.waitUntilServing(token: token) && b.waitUntilServing(token: token))
        let path = "/api/plugins/braindrive-chat/install"
        let target = dataDir + "/plugins/fenced/braindrive_chat"

        // A's install stops with its copy swapped in, uncommitted; then the whole host stalls.
        let answerOfA = Answer()
        Thread.detachNewThread { if let answer = try? a.request("POST", path, token: token) { answerOfA.set(answer) } }
        #expect(hold.waitUntilReached())
        let copyOfA = metadataOperation(target)
        #expect(copyOfA != nil, "A's copy is in place")
        #expect(a.group != nil, "host A has a process group of its own")
        #expect(a.signal(SIGSTOP))
        let stalled = Date()
        defer { _ = a.signal(SIGCONT) }
        // A's keeper renewed up to ttl/3 before the stall: the deadline B waits for is the row's, read now.
        let row = try Stack.runProcess("/usr/bin/sqlite3", [dataDir + "/lifecycle.sqlite", "SELECT expires_at FROM operation_lease"])
        let deadlineOfA = try #require(Double(row.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(row.output)")
        let staging = (try? FileManager.default.contentsOfDirectory(atPath: dataDir + "/staging")) ?? []
        #expect(staging.count == 1 && staging.allSatisfy { $0.hasPrefix("hA~") }, "A's staging folder carries its host: \(staging)")

        // Through B: 409 while A's lease lasts, then the takeover rolls A back and B installs.
        var answerOfB = try b.request("POST", path, token: token)
        #expect(answerOfB.status == 409, "A's lease is live until its deadline: \(answerOfB.body.suffix(300))")
        while answerOfB.status != 201 && Date().timeIntervalSince(stalled) < Self.bound + 5 {
            usleep(200_000)
            answerOfB = try b.request("POST", path, token: token)
        }
        let recovered = Date().timeIntervalSince(stalled)
        let afterDeadline = Date().timeIntervalSince1970 - deadlineOfA
        #expect(answerOfB.status == 201, "\(answerOfB.body.suffix(500))")
        #expect(afterDeadline >= 0, "taken over only once A's deadline passed (\(afterDeadline) s after it)")
        #expect(recovered <= Self.bound, "taken over \(recovered) s after A stalled (bound \(Self.bound) s)")
        let copyOfB = metadataOperation(target)
        #expect(copyOfB != nil && copyOfB != copyOfA)

        // A goes on: fenced. Its answer is a conflict (or unavailable), and nothing of it lands.
        #expect(a.signal(SIGCONT))
        hold.release()
        #expect(eventually(within: 20) { answerOfA.value != nil })
        #expect([409, 503].contains(answerOfA.value?.status ?? 0), "\(answerOfA.value?.body.suffix(500) ?? "no answer")")
        Thread.sleep(forTimeInterval: 1)
        #expect(metadataOperation(target) == copyOfB, "the tree is B's")
        let status = try b.request("GET", "/api/plugins/braindrive-chat/status", token: token)
        #expect(status.status == 200 && status.body.contains("\"status\":\"healthy\""), "\(status.body.suffix(500))")
        let audit = try b.request("GET", "/api/plugins/audit", token: token)
        #expect(audit.body.components(separatedBy: "\"action\":\"install\"").count - 1 == 1, "one install committed: \(audit.body.suffix(800))")
        #expect(eventually(within: 5) { ((try? FileManager.default.contentsOfDirectory(atPath: dataDir + "/staging")) ?? ["?"]).isEmpty })
        let logOfA = (try? String(contentsOfFile: a.log, encoding: .utf8)) ?? ""
        #expect(logOfA.contains("fenced"), "A says it was fenced")
    }

    /// Each named host keeps its run state under `run/<host>/`: socket, pid file and counters. One
    /// master stopping removes only its own counters; `restore` sees any host's pool.
    @Test func namedHostsKeepTheirOwnRunState() throws {
        let dataDir = try Stack.initializedDataDirectory(prefix: "lc-run")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let token = try Stack.run(["token", "runner", "--data-dir", dataDir]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let folder = dataDir + "/logs"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let a = try Host("hA", dataDir: dataDir, folder: folder, defaultSocket: true)
        defer { a.stop() }
        let b = try Host("hB", dataDir: dataDir, folder: folder, defaultSocket: true)
        defer { b.stop() }
        #expect(a.waitUntilServing(token: token) && b.waitUntilServing(token: token))
        for (host, name) in [(a, "hA"), (b, "hB")] {
            let pid = try? String(contentsOfFile: dataDir + "/run/\(name)/pool.pid", encoding: .utf8)
            #expect(pid == "\(host.process.processIdentifier)\n", "\(name)'s pid file")
            #expect(FileManager.default.fileExists(atPath: dataDir + "/run/\(name)/metrics/pool.bin"), "\(name)'s counters")
        }
        #expect(!FileManager.default.fileExists(atPath: dataDir + "/run/metrics/pool.bin"), "no single-host counters")
        #expect(!FileManager.default.fileExists(atPath: dataDir + "/run/pool.pid"))

        // `restore` finds host A's pool by its pid file under run/hA/.
        defer { try? FileManager.default.removeItem(atPath: dataDir + "-backup") }
        let backup = try Stack.run(["backup", dataDir + "-backup", "--data-dir", dataDir])
        #expect(backup.status == 0, "\(backup.output)")
        let refused = try Stack.run(["restore", dataDir + "-backup", "--force", "--data-dir", dataDir])
        #expect(refused.status == 1 && refused.output.contains(dataDir + "/run/hA/pool.pid"), "\(refused.output)")

        let beforeStop = try b.request("GET", "/api/plugins/metrics", token: token)
        #expect(beforeStop.status == 200 && beforeStop.body.contains("plugin_lifecycle_http_requests_total"), "\(beforeStop.body.suffix(300))")
        a.stop()
        #expect(!FileManager.default.fileExists(atPath: dataDir + "/run/hA/pool.pid"))
        #expect(!FileManager.default.fileExists(atPath: dataDir + "/run/hA/metrics/pool.bin"), "A's counters go with A")
        #expect(FileManager.default.fileExists(atPath: dataDir + "/run/hB/metrics/pool.bin"), "B's counters stay")
        #expect(try b.request("GET", "/api/plugins/health", token: token).status == 200)
        let afterStop = try b.request("GET", "/api/plugins/metrics", token: token)
        #expect(afterStop.status == 200 && afterStop.body.contains("plugin_lifecycle_pool_workers_alive 1"), "\(afterStop.body.suffix(600))")
    }
}
