import Foundation
import Logging
import Posix
@testable import FastCGITransport

/// A worker on its own socket in its own temp dir, running on a background thread.
final class RunningWorker: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    let listenFD: Int32
    let worker: FastCGIWorker
    private let finished = DispatchSemaphore(value: 0)
    private let exitCode = Locked<Int32?>(nil)

    init(
        threads: Int = 2, maxBodyBytes: Int = 1 << 20, maxParamsBytes: Int = 64 << 10,
        maxRequests: Int? = nil, handlesSignals: Bool = false, requestTimeout: Duration? = nil,
        timeoutAction: (@Sendable () -> Void)? = nil,
        handler: @escaping @Sendable (FastCGIRequest) -> FastCGIResponse
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fcgi-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("w.sock").path
        listenFD = try FastCGISocket.listen(unixPath: socketPath)
        var logger = Logger(label: "test.fastcgi")
        logger.logLevel = .warning
        let configuration = FastCGIWorkerConfiguration(
            listenFD: listenFD, threads: threads, maxBodyBytes: maxBodyBytes, maxParamsBytes: maxParamsBytes,
            maxRequests: maxRequests, handlesSignals: handlesSignals, requestTimeout: requestTimeout)
        worker = if let timeoutAction {
            FastCGIWorker(configuration: configuration, logger: logger, timeoutAction: timeoutAction)
        } else {
            FastCGIWorker(configuration: configuration, logger: logger)
        }
        let worker = self.worker, exitCode = self.exitCode, finished = self.finished
        Thread {
            let code = worker.run(handler)
            exitCode.withLock { $0 = code }
            finished.signal()
        }.start()
    }

    /// The exit code once run() returned, nil if it did not within `timeout`.
    func waitForExit(timeout: Double = 5) -> Int32? {
        guard finished.wait(timeout: .now() + timeout) == .success else { return nil }
        finished.signal()
        return exitCode.withLock { $0 }
    }

    /// Polls until `condition` holds; false on timeout.
    func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    var hasExited: Bool { exitCode.withLock { $0 != nil } }

    func shutdown() {
        worker.requestStop()
        _ = waitForExit()
        close(listenFD)
        try? FileManager.default.removeItem(at: directory)
    }
}

struct CGIResult {
    var exitStatus: Int32
    var output: [UInt8]
    var text: String { String(decoding: output, as: UTF8.self) }
    /// The part after the blank line.
    var body: [UInt8] {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard output.count >= 4 else { return [] }
        for i in 0...(output.count - 4) where Array(output[i..<i + 4]) == marker {
            return Array(output[(i + 4)...])
        }
        return []
    }
}

/// Drives the worker the way nginx would, through libfcgi's own client.
func cgiFCGI(socket: String, env: [String: String], stdin: [UInt8] = []) throws -> CGIResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/cgi-fcgi")
    process.arguments = ["-bind", "-connect", socket]
    var environment = ["GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1"]
    environment.merge(env) { $1 }
    if !stdin.isEmpty, environment["CONTENT_LENGTH"] == nil { environment["CONTENT_LENGTH"] = "\(stdin.count)" }
    process.environment = environment
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Write from another thread: a large body must not deadlock against a full stdout pipe.
    let writer = Thread {
        if !stdin.isEmpty { try? input.fileHandleForWriting.write(contentsOf: Data(stdin)) }
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CGIResult(exitStatus: process.terminationStatus, output: Array(data))
}

/// Connects to the unix socket and returns the raw fd (for malformed-input tests).
func rawConnect(_ path: String) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    return rc == 0 ? fd : -1
}
