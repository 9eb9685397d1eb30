import Foundation
import Testing

/// The process model as an operator drives it: SIGHUP rolls the pool, a lone worker serves from fd 0.
@Suite(.serialized) struct PoolTests {
    @Test func sighupReplacesEveryWorkerWhileRequestsKeepBeingAnswered() throws {
        let stack = try Stack(workers: 2, apiRate: "100000r/s"); defer { stack.stop() }
        let before = Set(stack.workerPIDs())
        let tally = Tally()
        let stopAt = Date().addingTimeInterval(3)
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                while Date() < stopAt {
                    let result = try? stack.get("/api/plugins/health")
                    tally.add(result.map { String($0.status) } ?? "error")
                }
                group.leave()
            }.start()
        }
        usleep(300_000)
        kill(stack.pool.processIdentifier, SIGHUP)
        group.wait()
        let after = Set(stack.workerPIDs())
        #expect(after.count == 2 && after.isDisjoint(with: before), "every worker replaced: \(before) -> \(after)")
        #expect(tally.all.keys.sorted() == ["200"], "no request failed during the roll: \(tally.all)")
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
