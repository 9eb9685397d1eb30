import Foundation
import Testing

/// The executable as an operator uses it.
@Suite(.timeLimit(.minutes(10))) struct CLITests {
    func dataDir() throws -> String { try Stack.initializedDataDirectory(prefix: "lc-cli") }

    @Test func initIsIdempotentAndMakesASecretOnce() throws {
        let dir = try dataDir(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let secret = try String(contentsOfFile: dir + "/jwt-secret", encoding: .utf8)
        var st = stat()
        #expect(stat(dir + "/jwt-secret", &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(stat(dir, &st) == 0 && st.st_mode & 0o777 == 0o750)
        #expect(secret.count == 65 && secret.hasSuffix("\n"))
        let bundleSecret = try String(contentsOfFile: dir + "/bundle-secret", encoding: .utf8)
        #expect(stat(dir + "/bundle-secret", &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(bundleSecret.count == 65 && bundleSecret.hasSuffix("\n") && bundleSecret != secret)
        #expect(try Stack.run(["init", "--data-dir", dir, "--sample-catalog", Stack.repository + "/deploy/catalog"]).status == 0)
        #expect(try String(contentsOfFile: dir + "/jwt-secret", encoding: .utf8) == secret)
        #expect(try String(contentsOfFile: dir + "/bundle-secret", encoding: .utf8) == bundleSecret)
        #expect(FileManager.default.fileExists(atPath: dir + "/lifecycle.sqlite"))
    }

    @Test func debugCommandsHumanAndJSONWithExitCodes() throws {
        let dir = try dataDir(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let install = try Stack.run(["install", "user123", "braindrive-network", "--data-dir", dir])
        #expect(install.status == 0 && install.output.contains("installed braindrive_network 1.1.0 for user123"))
        let status = try Stack.run(["status", "user123", "braindrive-network", "--json", "--data-dir", dir])
        let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
        #expect(status.status == 0 && json?["status"] as? String == "healthy")
        let again = try Stack.run(["install", "user123", "braindrive-network", "--data-dir", dir])
        #expect(again.status == 1 && again.output.contains("already installed for this user (version 1.1.0)"))
        let available = try Stack.run(["available", "--user", "user123", "--data-dir", dir])
        #expect(available.status == 0 && available.output.contains("braindrive_network  1.1.0") && available.output.contains("[installed 1.1.0]"))
        #expect(try Stack.run(["info", "braindrive-settings", "--data-dir", dir]).output.contains("1.0.10"))
        #expect(try Stack.run(["repair", "user123", "braindrive-network", "--data-dir", dir]).status == 0)
        #expect(try Stack.run(["uninstall", "user123", "braindrive-network", "--data-dir", dir]).status == 0)
        #expect(try Stack.run(["status", "user123", "../etc", "--data-dir", dir]).status == 1)
        let token = try Stack.run(["token", "user123", "--admin", "--data-dir", dir])
        #expect(token.status == 0 && token.output.split(separator: ".").count == 3)
    }

    @Test func bulkInstallAndPurgeFromTheCommandLine() throws {
        let dir = try dataDir(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let bulk = try Stack.run(["bulk-install", "braindrive-chat", "--users", "a,b,c", "--data-dir", dir])
        #expect(bulk.status == 0 && bulk.output.contains("[3/3] c: installed") && bulk.output.contains("3 of 3 users done"), "\(bulk.output)")
        let again = try Stack.run(["bulk-install", "braindrive-chat", "--users", "a,x", "--version", "1.0.0", "--data-dir", dir])
        #expect(again.status == 0 && again.output.contains("already installed"), "\(again.output)")
        let bad = try Stack.run(["bulk-install", "braindrive-chat", "--users", "y", "--version", "5.0.0", "--data-dir", dir])
        #expect(bad.status == 1 && bad.output.contains("FAILED"), "\(bad.output)")
        let purge = try Stack.run(["purge-user", "a", "--data-dir", dir])
        #expect(purge.status == 0 && purge.output.contains("purged a: 1 plugins"), "\(purge.output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/plugins/a"))
        let removal = try Stack.run(["bulk-uninstall", "braindrive-chat", "--users", "b,c,x", "--data-dir", dir])
        #expect(removal.status == 0 && removal.output.contains("3 of 3 users done"), "\(removal.output)")
    }

    @Test func serveRefusesWeakSecretsUnlessToldItIsDevelopment() throws {
        let dir = try dataDir(); defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, secret) in [("empty", ""), ("short", "too-short-secret\n"), ("braindrive", "your-secret-key-here\n")] {
            let path = dir + "/secret-" + name
            try secret.write(toFile: path, atomically: true, encoding: .utf8)
            let refused = try Stack.run(["serve", "--data-dir", dir, "--socket", dir + "/s.sock", "--workers", "1", "--jwt-secret-file", path])
            #expect(refused.status != 0, "\(name): \(refused.output)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/s.sock"), "\(name): refused before listening")
        }
        // With the development flag the same weak secret is accepted: the pool starts (and is stopped).
        try expectServeStartsAndStops(dir, ["--jwt-secret-file", dir + "/secret-braindrive", "--insecure-dev-secret"])
    }

    /// `serve` on `dir` with `arguments` listens (its socket appears), then stops cleanly on SIGTERM.
    func expectServeStartsAndStops(_ dir: String, _ arguments: [String],
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Stack.binary)
        process.arguments = ["serve", "--data-dir", dir, "--socket", dir + "/s.sock", "--workers", "1"] + arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        _ = eventually { FileManager.default.fileExists(atPath: dir + "/s.sock") }
        #expect(FileManager.default.fileExists(atPath: dir + "/s.sock"), sourceLocation: sourceLocation)
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, sourceLocation: sourceLocation)
    }

    @Test func serveRefusesAShortBundleSecretOrTheJWTSecretAndMakesAMissingOne() throws {
        let dir = try dataDir(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try "0123456789abcdef0123456789abcde\n".write(toFile: dir + "/bundle-short", atomically: true, encoding: .utf8)
        let refusals = [
            (["--bundle-secret-file", dir + "/bundle-short"], "the bundle secret is 31 bytes"),
            (["--bundle-secret-file", dir + "/jwt-secret"], "the bundle secret is the JWT secret"),
            (["--bundle-secret-file", dir + "/absent"], "cannot read the secret file \(dir)/absent"),
            (["--bundle-url-ttl", "9"], "--bundle-url-ttl wants 10 to 86400 seconds"),
            (["--bundle-url-ttl", "86401"], "--bundle-url-ttl wants 10 to 86400 seconds"),
        ]
        for (arguments, message) in refusals {
            let refused = try Stack.run(["serve", "--data-dir", dir, "--socket", dir + "/s.sock", "--workers", "1"] + arguments)
            #expect(refused.status != 0 && refused.output.contains(message), "\(arguments): \(refused.output)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/s.sock"), "\(arguments): refused before listening")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/absent"), "a named file is never made up")
        // An installation from before bundle URLs: `serve` makes the default secret, and the workers start with it.
        try FileManager.default.removeItem(atPath: dir + "/bundle-secret")
        try expectServeStartsAndStops(dir, ["--bundle-url-ttl", "60"])
        var st = stat()
        #expect(stat(dir + "/bundle-secret", &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(try String(contentsOfFile: dir + "/bundle-secret", encoding: .utf8).count == 65)
    }

    @Test func doctorFlagsAWorldReadableOrWeakBundleSecret() throws {
        let dir = try dataDir(); defer { try? FileManager.default.removeItem(atPath: dir) }
        func findings() throws -> (status: Int32, codes: [String: String]) {
            let result = try Stack.run(["doctor", "--json", "--data-dir", dir])
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            let list = json?["findings"] as? [[String: Any]] ?? []
            var codes: [String: String] = [:]
            for finding in list { codes[finding["code"] as? String ?? ""] = finding["severity"] as? String }
            return (result.status, codes)
        }
        #expect(try findings().codes["bundle_secret"] == "ok")
        chmod(dir + "/bundle-secret", 0o644)
        let open = try findings()
        #expect(open.status == 1 && open.codes["bundle_secret_world_readable"] == "error", "\(open.codes)")
        chmod(dir + "/bundle-secret", 0o600)
        try FileManager.default.removeItem(atPath: dir + "/bundle-secret")
        try FileManager.default.copyItem(atPath: dir + "/jwt-secret", toPath: dir + "/bundle-secret")
        let shared = try findings()
        #expect(shared.status == 1 && shared.codes["bundle_secret_weak"] == "error", "\(shared.codes)")
    }
}
