import Foundation
import Testing

/// A real stack for one test: a data directory made by `plugin-lifecycle init`, the pool
/// (`serve`, real worker processes on a unix socket) and an unprivileged nginx on a free
/// loopback port, rendered from the repository's config. Torn down by `stop()`.
final class Stack: @unchecked Sendable {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

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
    let nginx: Process
    let poolLog: String

    /// `serveArguments`: more options for `serve` (e.g. `--jwt-issuer X`), appended to the defaults.
    init(workers: Int = 2, threads: Int = 4, environment: [String: String] = [:], apiRate: String = "100r/s",
         serveArguments: [String] = []) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lc-it-\(UUID().uuidString.prefix(8))").path
        dataDir = root + "/data"
        socketPath = root + "/run/fcgi.sock"
        poolLog = root + "/pool.log"
        try FileManager.default.createDirectory(atPath: root + "/run", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/nginx", withIntermediateDirectories: true)

        let initRun = try Self.run(["init", "--data-dir", dataDir, "--sample-catalog", Self.repository + "/deploy/catalog"])
        guard initRun.status == 0 else { throw StackError.failed("init: \(initRun.output)") }

        pool = Process()
        pool.executableURL = URL(fileURLWithPath: Self.binary)
        pool.arguments = ["serve", "--data-dir", dataDir, "--socket", socketPath,
                          "--workers", String(workers), "--threads", String(threads), "--drain-timeout", "5"] + serveArguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        pool.environment = env
        FileManager.default.createFile(atPath: poolLog, contents: nil)
        let log = FileHandle(forWritingAtPath: poolLog)
        pool.standardError = log
        pool.standardOutput = log
        try pool.run()

        port = Self.freePort()
        let template = try String(contentsOfFile: Self.repository + "/nginx/plugin-lifecycle.conf", encoding: .utf8)
        let config = template
            .replacingOccurrences(of: "__USER_DIRECTIVE__", with: getuid() == 0 ? "user root;" : "")
            .replacingOccurrences(of: "__LISTEN__", with: "127.0.0.1:\(port)")
            .replacingOccurrences(of: "__PREFIX__", with: root + "/nginx")
            .replacingOccurrences(of: "__FCGI_SOCKET__", with: socketPath)
            .replacingOccurrences(of: "__HTML_ROOT__", with: Self.repository + "/nginx/html")
            .replacingOccurrences(of: "__API_RATE__", with: apiRate)
        try config.write(toFile: root + "/nginx/nginx.conf", atomically: true, encoding: .utf8)
        nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-p", root + "/nginx", "-c", root + "/nginx/nginx.conf", "-e", root + "/nginx/error.log", "-g", "daemon off;"]
        nginx.standardError = FileHandle(forWritingAtPath: poolLog)
        try nginx.run()

        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let health = try? get("/api/plugins/health"), health.status == 200 {
                if workerPIDs().count == workers { return }
            }
            usleep(50_000)
        }
        let output = (try? String(contentsOfFile: poolLog, encoding: .utf8)) ?? ""
        stop()
        throw StackError.failed("stack did not become healthy:\n\(output.suffix(3000))")
    }

    func stop() {
        if pool.isRunning { pool.terminate(); pool.waitUntilExit() }
        if nginx.isRunning { kill(nginx.processIdentifier, SIGQUIT); nginx.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: root)
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
        try Self.run(arguments + ["--data-dir", dataDir], environment: environment)
    }

    /// A fresh data directory made by `init` with the sample catalog, for tests of the bare CLI.
    static func initializedDataDirectory(prefix: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        let result = try run(["init", "--data-dir", dir, "--sample-catalog", repository + "/deploy/catalog"])
        try #require(result.status == 0, "\(result.output)")
        return dir
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
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
