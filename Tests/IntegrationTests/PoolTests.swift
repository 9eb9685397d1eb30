import Foundation
import Testing

/// The process model as an operator drives it: SIGHUP rolls the pool, a lone worker serves from fd 0.
@Suite(.serialized, .timeLimit(.minutes(10))) struct PoolTests {
    @Test func sighupReplacesEveryWorkerWhileRequestsKeepBeingAnswered() throws {
        let stack = try Stack(workers: 2, apiRate: "100000r/s"); defer { stack.stop() }
        let before = Set(stack.workerPIDs())
        let tally = Tally()
        let stop = Latest()
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                while stop.value == nil {
                    let result = try? stack.get("/api/plugins/health")
                    tally.add(result.map { String($0.status) } ?? "error")
                }
                group.leave()
            }.start()
        }
        #expect(eventually { tally.all.values.reduce(0, +) >= 20 }, "the load is running")
        kill(stack.pool.processIdentifier, SIGHUP)
        // The load runs until the roll is over, however long this machine takes (seen: several
        // seconds under ThreadSanitizer), so every moment of the roll is under requests.
        var after = Set(stack.workerPIDs())
        _ = eventually {
            after = Set(stack.workerPIDs())
            return after.count == 2 && after.isDisjoint(with: before)
        }
        // The new workers answer some of the load too.
        let answered = tally.all.values.reduce(0, +)
        #expect(eventually { tally.all.values.reduce(0, +) >= answered + 20 })
        stop.set(HTTPResult(status: 0, headers: [:], body: []))
        group.wait()
        #expect(after.count == 2 && after.isDisjoint(with: before), "every worker replaced: \(before) -> \(after)")
        #expect(tally.all.keys.sorted() == ["200"], "no request failed during the roll: \(tally.all)")
    }

    /// SIGKILL costs only the killed worker's requests in flight (502 problem+json, at most one
    /// per accept thread), and the master fills the pool again after each kill (how soon is the
    /// supervisor's restart delay, checked in WorkerSupervisorTests; speed is deploy/bench's).
    @Test func sigkilledWorkersUnderLoadCostOnlyTheirRequestsInFlight() throws {
        let threads = 2
        let stack = try Stack(workers: 2, threads: threads, apiRate: "100000r/s"); defer { stack.stop() }
        let token = stack.token("loaded")
        let tally = Tally()
        let stop = Latest()
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread {
                while stop.value == nil {
                    guard let result = try? stack.get("/api/plugins/health", headers: ["Authorization": "Bearer " + token]) else {
                        tally.add("error"); continue
                    }
                    let problem = result.header("Content-Type") == "application/problem+json" && result.code == "unavailable"
                    tally.add(result.status == 502 && problem ? "502 problem" : String(result.status))
                }
                group.leave()
            }.start()
        }
        let kills = 3
        for round in 0..<kills {
            // Longer than the supervisor's stableAfter: serving workers, not a crash loop.
            usleep(1_200_000)
            let victim = stack.workerPIDs()[0]
            kill(victim, SIGKILL)
            #expect(eventually {
                let pids = stack.workerPIDs()
                return pids.count == 2 && !pids.contains(victim)
            }, "the pool is full again after kill \(round)")
            // The refilled pool answers.
            let answered = tally.all["200"] ?? 0
            #expect(eventually { (tally.all["200"] ?? 0) >= answered + 20 }, "answers after kill \(round)")
        }
        stop.set(HTTPResult(status: 0, headers: [:], body: []))
        group.wait()
        let counts = tally.all
        #expect(Set(counts.keys).isSubset(of: ["200", "502 problem"]), "\(counts)")
        #expect((counts["502 problem"] ?? 0) <= kills * threads, "\(counts)")
    }

    /// spawn-fcgi and systemd socket activation hand a worker its listening socket as fd 0.
    @Test func workerAloneServesTheSocketOnFdZero() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lc-fd0-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try Stack.run(["init", "--data-dir", dir, "--sample-catalog", Stack.repository + "/deploy/catalog"]).status == 0)
        let path = dir + "/w.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0 && listen(fd, 16) == 0)
        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: Stack.binary)
        worker.arguments = ["worker", "--data-dir", dir, "--threads", "2"]
        worker.standardInput = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        worker.standardError = FileHandle.nullDevice
        try worker.run()
        close(fd)
        defer { if worker.isRunning { worker.terminate(); worker.waitUntilExit() } }

        // A real FastCGI client: cgi-fcgi from libfcgi-bin.
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/cgi-fcgi")
        client.arguments = ["-bind", "-connect", path]
        client.environment = ["REQUEST_METHOD": "GET", "REQUEST_URI": "/api/plugins/health", "QUERY_STRING": "",
                              "SCRIPT_NAME": "/api/plugins/health", "CONTENT_LENGTH": "0", "REQUEST_ID": "fd0test"]
        let pipe = Pipe()
        client.standardOutput = pipe
        client.standardInput = FileHandle.nullDevice
        try client.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        #expect(output.hasPrefix("Status: 200"), "\(output)")
        #expect(output.contains("X-Request-Id: fd0test"))
        #expect(output.contains("\"worker_pid\":\(worker.processIdentifier)"))
        worker.terminate()
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0, "SIGTERM drains and exits 0")
    }
}
