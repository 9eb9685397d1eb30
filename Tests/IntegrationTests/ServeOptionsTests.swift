import Foundation
import Testing

/// Each `serve` option that changes what a worker does, passed to the real master and checked
/// over HTTP through nginx: every test fails if the master stopped handing its option to the workers.
@Suite(.timeLimit(.minutes(10))) struct ServeOptionsTests {
    let available = "/api/plugins/available"
    /// A route that needs a token (`available` answers anonymous callers too).
    let installed = "/api/plugins/installed"

    @Test func jwtIssuerIsRequiredByTheWorkers() throws {
        let stack = try Stack(serveArguments: ["--jwt-issuer", "https://id.example"]); defer { stack.stop() }
        let secret = SignedTokens.Signer.hs256(secretFile: stack.dataDir + "/jwt-secret")
        let right = try SignedTokens.token(user: "user1", claims: ["iss": "https://id.example"], signer: secret)
        let other = try SignedTokens.token(user: "user1", claims: ["iss": "https://other.example"], signer: secret)
        try expectAccepted(stack, token: right)
        try expectRefused(stack, token: other)
        try expectRefused(stack, token: stack.token("user1"))  // no iss at all
    }

    @Test func jwtAudienceIsRequiredByTheWorkers() throws {
        let stack = try Stack(serveArguments: ["--jwt-audience", "plugin-lifecycle"]); defer { stack.stop() }
        let secret = SignedTokens.Signer.hs256(secretFile: stack.dataDir + "/jwt-secret")
        let right = try SignedTokens.token(user: "user1", claims: ["aud": ["other-service", "plugin-lifecycle"]], signer: secret)
        let other = try SignedTokens.token(user: "user1", claims: ["aud": "other-service"], signer: secret)
        try expectAccepted(stack, token: right)
        try expectRefused(stack, token: other)
        try expectRefused(stack, token: stack.token("user1"))  // no aud at all
    }

    @Test func jwtPublicKeyFileReplacesTheSecretInTheWorkers() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        let keys = try SignedTokens.makeRSAKeyPair(in: scratch.path)
        let stack = try Stack(serveArguments: ["--jwt-public-key-file", keys.publicKey]); defer { stack.stop() }
        try expectAccepted(stack, token: SignedTokens.token(user: "user1", signer: .rs256(privateKeyFile: keys.privateKey)))
        // HS256 with the data directory's secret: refused once a public key is configured.
        try expectRefused(stack, token: stack.token("user1"))
    }

    @Test func maxBodyBytesIsTheWorkersLimit() throws {
        // Well under nginx's client_max_body_size (1 MiB), so only the workers can refuse it.
        let stack = try Stack(serveArguments: ["--max-body-bytes", "4096"]); defer { stack.stop() }
        func install(_ slug: String, bodyBytes: Int) throws -> HTTPResult {
            let json = #"{"version":"1.1.0"}"#
            let body = "{" + String(repeating: " ", count: bodyBytes - json.count) + json.dropFirst()
            #expect(body.utf8.count == bodyBytes)
            return try stack.request("POST", "/api/plugins/\(slug)/install", user: "user1", body: body)
        }
        let over = try install("braindrive-network", bodyBytes: 8000)
        #expect(over.status == 413 && over.code == "payload_too_large", "\(over.status) \(over.text.prefix(300))")
        #expect(over.header("Content-Type") == "application/problem+json")
        let under = try install("braindrive-network", bodyBytes: 4000)
        #expect(under.status == 201, "\(under.status) \(under.text.prefix(300))")
    }

    @Test func maxRequestsRecyclesTheWorker() throws {
        let stack = try Stack(workers: 1, serveArguments: ["--max-requests", "3"]); defer { stack.stop() }
        let first = try #require(stack.workerPIDs().first)
        for _ in 0..<8 {
            let response = try stack.get(available, user: "user1")
            #expect(response.status == 200, "a recycled worker must not cost a request: \(response.status)")
        }
        let replaced = eventually { let pids = stack.workerPIDs(); return pids.count == 1 && !pids.contains(first) }
        #expect(replaced, "worker \(first) still serves after 8 requests with --max-requests 3")
    }

    /// One worker with one thread: a request's log line is written after its answer is sent and
    /// before that thread takes the next request, so once the last answer is in, every earlier
    /// request's line is in the log or never will be.
    @Test(arguments: [true, false]) func requestLogFollowsTheOption(enabled: Bool) throws {
        let stack = try Stack(workers: 1, threads: 1, serveArguments: enabled ? [] : ["--no-request-log"]); defer { stack.stop() }
        for _ in 0..<5 { #expect(try stack.get(available, user: "user1").status == 200) }
        #expect(try stack.get("/api/plugins/health").status == 200)
        let lines = (try String(contentsOfFile: stack.poolLog, encoding: .utf8)).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        let logged = lines.filter { $0["msg"] as? String == "request" && $0["route"] as? String == available }
        #expect(logged.count == (enabled ? 5 : 0), "\(logged.count) request lines for /available")
    }

    @Test func catalogFolderIsTheWorkersCatalog() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        let catalog = scratch.path + "/catalog"
        try FileManager.default.createDirectory(atPath: catalog, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Stack.repository + "/deploy/catalog/braindrive-network",
                                         toPath: catalog + "/braindrive-network")
        let stack = try Stack(serveArguments: ["--catalog", catalog]); defer { stack.stop() }
        let response = try stack.get(available, user: "user1")
        #expect(response.status == 200, "\(response.text.prefix(300))")
        // The data directory's own catalog (init --sample-catalog) has four plugins.
        #expect(Self.slugs(response) == ["braindrive_network"], "\(response.text.prefix(500))")
    }

    // MARK: Helpers

    static func slugs(_ response: HTTPResult) -> [String] {
        ((response.data?["available_plugins"] as? [String: Any])?.keys).map { $0.sorted() } ?? []
    }

    func expectAccepted(_ stack: Stack, token: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let response = try stack.request("GET", installed, token: token)
        #expect(response.status == 200, "\(response.status) \(response.text.prefix(300))", sourceLocation: sourceLocation)
    }

    func expectRefused(_ stack: Stack, token: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let response = try stack.request("GET", installed, token: token)
        #expect(response.status == 401 && response.code == "invalid_token", "\(response.status) \(response.text.prefix(300))",
                sourceLocation: sourceLocation)
    }
}

/// A temporary folder of the test's own, for files `serve` must find before it starts.
struct Scratch {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lc-scratch-\(UUID().uuidString.prefix(8))").path
    init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
