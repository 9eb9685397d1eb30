import Foundation
import Testing

/// `doctor`, `backup` and `restore` as an operator runs them: the real binary, real processes.
@Suite(.timeLimit(.minutes(10))) struct MaintenanceCLITests {
    func dataDir(_ base: String) throws -> String {
        let dir = base + "/data"
        let result = try Stack.run(["init", "--data-dir", dir, "--sample-catalog", Stack.repository + "/deploy/catalog"])
        #expect(result.status == 0, "\(result.output)")
        return dir
    }

    func doctorJSON(_ dir: String) throws -> (status: Int32, json: [String: Any]) {
        let result = try Stack.run(["doctor", "--json", "--data-dir", dir])
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] ?? [:]
        return (result.status, json)
    }

    /// Runs `backup` (JSON output) with a barrier after its database snapshot: `during` runs
    /// there, before any folder is copied, then the backup goes on. Returns its status and manifest.
    func backup(_ destination: String, dataDir: String, during: () throws -> Void) throws -> (status: Int32, manifest: [String: Any], output: String) {
        let barrier = destination + ".barrier"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Stack.binary)
        process.arguments = ["backup", destination, "--json", "--data-dir", dataDir, "--pause-after-snapshot", barrier]
        let pipe = Pipe()
        process.standardOutput = pipe
        // Kept apart from the manifest on stdout: log lines are JSON objects too.
        FileManager.default.createFile(atPath: barrier + ".stderr", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: barrier + ".stderr")
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: barrier + ".ready") && process.isRunning && Date() < deadline { usleep(10_000) }
        #expect(FileManager.default.fileExists(atPath: barrier + ".ready"), "the backup reached its snapshot")
        try during()
        FileManager.default.createFile(atPath: barrier, contents: nil)
        let stdout = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let json = try? JSONSerialization.jsonObject(with: stdout) as? [String: Any]
        let stderr = (try? String(contentsOfFile: barrier + ".stderr", encoding: .utf8)) ?? ""
        return (process.terminationStatus, json ?? [:], String(decoding: stdout, as: UTF8.self) + stderr)
    }

    @Test func doctorExitsZeroWhenCleanAndOneWithTheRepairCommandWhenAFileChanged() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lc-ops-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let dir = try dataDir(base)
        #expect(try Stack.run(["install", "u1", "braindrive-network", "--data-dir", dir]).status == 0)
        let clean = try Stack.run(["doctor", "--data-dir", dir])
        #expect(clean.status == 0 && clean.output.contains("0 error(s), 0 warning(s): healthy"), "\(clean.output)")

        try Data("changed".utf8).write(to: URL(fileURLWithPath: dir + "/plugins/u1/braindrive_network/README.md"))
        let broken = try Stack.run(["doctor", "--data-dir", dir])
        #expect(broken.status == 1, "\(broken.output)")
        #expect(broken.output.contains("run `plugin-lifecycle repair u1 braindrive_network --data-dir \(dir)`"))
        let (status, json) = try doctorJSON(dir)
        #expect(status == 1 && json["errors"] as? Int == 1 && json["healthy"] as? Bool == false)
        #expect(try Stack.run(["repair", "u1", "braindrive-network", "--data-dir", dir]).status == 0)
        #expect(try Stack.run(["doctor", "--data-dir", dir]).status == 0)
    }

    @Test func backupWhileOtherProcessesInstallThenRestoreAndRefusals() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lc-ops-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        let dir = try dataDir(base)
        for user in ["a1", "a2", "a3"] {
            #expect(try Stack.run(["install", user, "braindrive-library", "--data-dir", dir]).status == 0)
        }
        // Writers in other processes, committing while the backup runs.
        var installers: [Process] = []
        for index in 0..<6 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", """
                for slug in braindrive-library braindrive-settings braindrive-network; do
                  "$0" install p\(index) $slug --data-dir "$1"; "$0" update p\(index) $slug --data-dir "$1"
                done; "$0" uninstall p\(index) braindrive-chat --cascade --data-dir "$1"
                """, Stack.binary, dir]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            installers.append(process)
        }
        #expect(try Stack.run(["install", "a1", "braindrive-network", "--version", "1.0.0", "--data-dir", dir]).status == 0)
        usleep(100_000)
        // Between the snapshot and the folders, a1's network is updated by another process.
        let backup = try backup(base + "/backup", dataDir: dir) {
            let update = try Stack.run(["update", "a1", "braindrive-network", "--data-dir", dir])
            #expect(update.status == 0, "\(update.output)")
        }
        for process in installers { process.waitUntilExit() }
        #expect(backup.status == 0, "\(backup.output)")
        #expect((backup.manifest["users_taken_later"] as? [String])?.contains("a1") == true, "\(backup.output)")
        #expect(FileManager.default.fileExists(atPath: base + "/backup/manifest.json"))

        let restore = try Stack.run(["restore", base + "/backup", "--data-dir", base + "/restored"])
        #expect(restore.status == 0 && restore.output.contains("restored \(base)/backup"), "\(restore.output)")
        let (status, json) = try doctorJSON(base + "/restored")
        #expect(status == 0 && json["errors"] as? Int == 0 && json["warnings"] as? Int == 0, "\(json)")
        for user in ["a1", "a2", "a3"] {
            let result = try Stack.run(["status", user, "braindrive-library", "--full", "--json", "--data-dir", base + "/restored"])
            #expect(result.output.contains("\"status\" : \"healthy\""), "\(user): \(result.output)")
        }
        let updated = try Stack.run(["status", "a1", "braindrive-network", "--full", "--json", "--data-dir", base + "/restored"])
        #expect(updated.output.contains("\"version\" : \"1.1.0\"") && updated.output.contains("\"status\" : \"healthy\""),
                "the update committed during the backup is in it: \(updated.output)")

        // Not over plugins already there, unless forced; never under a running pool.
        let again = try Stack.run(["restore", base + "/backup", "--data-dir", base + "/restored"])
        #expect(again.status == 1 && again.output.contains("pass --force"), "\(again.output)")
        let pool = Process()
        pool.executableURL = URL(fileURLWithPath: Stack.binary)
        pool.arguments = ["serve", "--data-dir", base + "/restored", "--socket", base + "/restored/run/fcgi.sock",
                          "--pid-file", base + "/restored/run/pool.pid", "--workers", "1"]
        pool.standardError = FileHandle.nullDevice
        try pool.run()
        defer { if pool.isRunning { pool.terminate(); pool.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: base + "/restored/run/pool.pid") && Date() < deadline { usleep(20_000) }
        let live = try Stack.run(["restore", base + "/backup", "--force", "--data-dir", base + "/restored"])
        #expect(live.status == 1 && live.output.contains("stop the pool first"), "\(live.output)")
        pool.terminate()
        pool.waitUntilExit()
        let forced = try Stack.run(["restore", base + "/backup", "--force", "--data-dir", base + "/restored"])
        #expect(forced.status == 0 && forced.output.contains("replaced: lifecycle.sqlite"), "\(forced.output)")
        // The replaced data is kept, and doctor (a warning, exit 0) and the report say how to remove it.
        let kept = try #require(try FileManager.default.contentsOfDirectory(atPath: base + "/restored").first { $0.hasSuffix("-previous") })
        #expect(forced.output.contains("remove it: rm -rf \(base)/restored/\(kept)"), "\(forced.output)")
        let afterForced = try Stack.run(["doctor", "--data-dir", base + "/restored"])
        #expect(afterForced.status == 0 && afterForced.output.contains("rm -rf \(base)/restored/\(kept)"), "\(afterForced.output)")
    }

    @Test func backupOfARunningPoolUnderHTTPInstallsRestoresHealthy() throws {
        let stack = try Stack(workers: 2, threads: 4)
        defer { stack.stop() }
        let p = "/api/plugins/"
        for user in ["h1", "h2"] { #expect(try stack.request("POST", p + "braindrive-library/install", user: user).status == 201) }
        #expect(try stack.request("POST", p + "braindrive-network/install", user: "h1", body: "{\"version\":\"1.0.0\"}").status == 201)
        // Clients installing, updating and uninstalling through nginx and the workers while the backup runs.
        let group = DispatchGroup()
        for index in 0..<4 {
            DispatchQueue.global().async(group: group) {
                let user = "w\(index)"
                for _ in 0..<3 {
                    _ = try? stack.request("POST", p + "braindrive-library/install", user: user)
                    _ = try? stack.request("PUT", p + "braindrive-chat/update", user: user)
                    _ = try? stack.request("DELETE", p + "braindrive-chat/uninstall?cascade=true", user: user)
                    _ = try? stack.request("POST", p + "braindrive-network/install", user: user, body: "{\"version\":\"1.0.0\"}")
                    _ = try? stack.request("DELETE", p + "braindrive-network/uninstall", user: user)
                }
            }
        }
        usleep(100_000)
        // Between the snapshot and the folders, h1's network is updated through nginx and a worker.
        let backup = try backup(stack.root + "/backup", dataDir: stack.dataDir) { () throws in
            let update = try stack.request("PUT", p + "braindrive-network/update", user: "h1")
            #expect(update.status == 200)
        }
        group.wait()
        #expect(backup.status == 0, "\(backup.output)")
        #expect((backup.manifest["users_taken_later"] as? [String])?.contains("h1") == true, "\(backup.output)")
        let restore = try Stack.run(["restore", stack.root + "/backup", "--data-dir", stack.root + "/restored"])
        #expect(restore.status == 0, "\(restore.output)")
        let (status, json) = try doctorJSON(stack.root + "/restored")
        #expect(status == 0 && json["errors"] as? Int == 0 && json["warnings"] as? Int == 0, "\(json)")
        // The live directory, after all that, is still clean too.
        #expect(try doctorJSON(stack.dataDir).json["errors"] as? Int == 0)
    }
}
