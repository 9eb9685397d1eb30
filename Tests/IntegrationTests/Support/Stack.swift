import Foundation
import StoreTestSupport
import Testing

/// A real stack for one test, started by the repository's launcher (`deploy/stack start ROOT
/// --foreground`): a data directory made by `plugin-lifecycle init`, an unprivileged nginx on a
/// free loopback port with the repository's config, and the pool (`serve`, real worker processes
/// on a unix socket). The launcher execs the pool, so `pool` is the master itself: tests signal
/// it and read its exit status. Torn down by `stop()` (`deploy/stack stop ROOT`).
final class Stack: @unchecked Sendable {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let launcher = repository + "/deploy/stack"

    /// The debug binary `swift build` made (or PLUGIN_LIFECYCLE_BIN).
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["PLUGIN_LIFECYCLE_BIN"] { return path }
        for candidate in [".build/debug/plugin-lifecycle", ".build/x86_64-unknown-linux-gnu/debug/plugin-lifecycle"] {
            let path = repository + "/" + candidate
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return repository + "/.build/debug/plugin-lifecycle"
    }()

    let root: String
    let dataDir: String
    let socketPath: String
    let port: Int
    let pool: Process
    let poolLog: String
    /// On PostgreSQL: the test's own schema, named to the pool and to ``cli(_:environment:)`` by
    /// `PLUGIN_LIFECYCLE_DATABASE_URL`, and dropped by ``stop()``.
    let schema: TestSchema?
    private static func storeEnvironment(_ schema: TestSchema?) -> [String: String] {
        schema.map { ["PLUGIN_LIFECYCLE_DATABASE_URL": $0.connection] } ?? [:]
    }

    /// `environment`: the pool's only (e.g. a fault point). `serveArguments`: more options for
    /// `serve` (e.g. `--jwt-issuer X`), appended to the defaults.
    init(store: TestStore = .sqlite, workers: Int = 2, threads: Int = 4, environment: [String: String] = [:],
         apiRate: String = "100r/s", serveArguments: [String] = []) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lc-it-\(UUID().uuidString.prefix(8))").path
        port = Self.freePort()
        let schema = try store.makeSchema()
        self.schema = schema
        var arguments = ["start", root, "--foreground", "--bin", Self.binary, "--port", String(port),
                         "--workers", String(workers), "--threads", String(threads), "--api-rate", apiRate]
        for (name, value) in environment.merging(Self.storeEnvironment(schema), uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            arguments += ["--env", "\(name)=\(value)"]
        }
        arguments += ["--", "--drain-timeout", "5"] + serveArguments
        let facts: [String: String]
        do {
            (pool, facts) = try Self.launch(root: root, arguments: arguments)
        } catch {
            schema?.drop()
            throw error
        }
        dataDir = facts["STACK_DATA_DIR"] ?? ""
        socketPath = facts["STACK_SOCKET"] ?? ""
        poolLog = facts["STACK_POOL_LOG"] ?? ""

        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && pool.isRunning {
            if let health = try? get("/api/plugins/health"), health.status == 200 {
                if workerPIDs().count == workers { return }
            }
            usleep(50_000)
        }
        let output = (try? String(contentsOfFile: poolLog, encoding: .utf8)) ?? ""
        stop()
        throw StackError.failed("stack did not become healthy:\n\(output.suffix(3000))")
    }

    /// Runs the launcher; returns it (the pool, once it execs) and its facts.
    private static func launch(root: String, arguments: [String]) throws -> (Process, [String: String]) {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let pool = Process()
        pool.executableURL = URL(fileURLWithPath: launcher)
        pool.arguments = arguments
        // The launcher's own output (its facts, or why it failed); the pool's goes to its log.
        let launcherLog = root + "/stack.log"
        _ = FileManager.default.createFile(atPath: launcherLog, contents: nil)
        pool.standardOutput = FileHandle(forWritingAtPath: launcherLog)
        pool.standardError = FileHandle(forWritingAtPath: launcherLog)
        try pool.run()
        // The facts are written once nginx is up, just before the launcher becomes the pool.
        return (pool, try facts(root + "/stack.env", while: pool, log: launcherLog))
    }

    /// The launcher's KEY=value facts, once it has written them (10 s at most).
    private static func facts(_ path: String, while launcher: Process, log: String) throws -> [String: String] {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return parseFacts(text) }
            if !launcher.isRunning { break }
            usleep(10_000)
        }
        if launcher.isRunning { launcher.terminate() }
        launcher.waitUntilExit()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw StackError.failed("deploy/stack did not start the stack:\n\(output.suffix(3000))")
    }

    /// KEY=value lines (deploy/stack's stack.env) as a dictionary.
    static func parseFacts(_ text: String) -> [String: String] {
        Dictionary(text.split(separator: "\n").compactMap { line in
            line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
        }, uniquingKeysWith: { $1 })
    }

    func stop() {
        _ = try? Self.runProcess(Self.launcher, ["stop", root])
        if pool.isRunning { pool.terminate() }
        pool.waitUntilExit()
        try? FileManager.default.removeItem(atPath: root)
        schema?.drop()
    }

    // MARK: HTTP

    func get(_ path: String, user: String? = nil, headers: [String: String] = [:]) throws -> HTTPResult {
        try request("GET", path, user: user, headers: headers)
    }

    func request(_ method: String, _ path: String, user: String? = nil, token: String? = nil,
                 headers: [String: String] = [:], body: String? = nil) throws -> HTTPResult {
        var headers = headers
        if let token = token ?? user.map({ self.token($0) }) { headers["Authorization"] = "Bearer " + token }
        if body != nil && headers["Content-Type"] == nil { headers["Content-Type"] = "application/json" }
        return try httpRequest(port: port, method: method, path: path, headers: headers, body: Array((body ?? "").utf8))
    }

    private let tokenLock = NSLock()
    private var tokens: [String: String] = [:]

    func token(_ user: String, admin: Bool = false) -> String {
        tokenLock.lock(); defer { tokenLock.unlock() }
        let key = user + (admin ? "#admin" : "")
        if let token = tokens[key] { return token }
        let result = try! Self.run(["token", user, "--data-dir", dataDir] + (admin ? ["--admin"] : []))
        let token = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        tokens[key] = token
        return token
    }

    // MARK: Processes

    /// Live worker processes of the pool (children of the master).
    func workerPIDs() -> [pid_t] {
        let text = (try? String(contentsOfFile: "/proc/\(pool.processIdentifier)/task/\(pool.processIdentifier)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { pid_t($0) }
    }

    func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try Self.run(arguments + ["--data-dir", dataDir], environment: Self.storeEnvironment(schema).merging(environment) { $1 })
    }

    /// A fresh data directory made by `init` with the sample catalog, for tests of the bare CLI.
    static func initializedDataDirectory(prefix: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        let result = try run(["init", "--data-dir", dir, "--sample-catalog", repository + "/deploy/catalog"])
        try #require(result.status == 0, "\(result.output)")
        return dir
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try runProcess(binary, arguments, environment: environment)
    }

    static func runProcess(_ executable: String, _ arguments: [String],
                           environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
        return (status, String(decoding: output, as: UTF8.self))
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func stagingEntries() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: dataDir + "/staging")) ?? []
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: dataDir + "/" + relative) }
}

enum StackError: Error { case failed(String) }

final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func add(_ key: String) { lock.lock(); counts[key, default: 0] += 1; lock.unlock() }
    var all: [String: Int] { lock.lock(); defer { lock.unlock() }; return counts }
}

final class Latest: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: HTTPResult?
    func set(_ value: HTTPResult) { lock.lock(); stored = value; lock.unlock() }
    var value: HTTPResult? { lock.lock(); defer { lock.unlock() }; return stored }
}
