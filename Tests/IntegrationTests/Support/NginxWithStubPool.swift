import FastCGITransport
import Foundation
import Logging
import Testing

/// The repository's nginx config, started by `deploy/stack start ROOT --no-pool`, in front of a
/// FastCGI responder in this process (the repository's own transport) listening on the socket
/// nginx was rendered with. The responder answers every request the way a worker answers a file
/// route, with an empty body and `X-Accel-Redirect`, but names whatever path the request chose:
/// `GET /api/plugins/stub/files/{rest}` → `/_plugin_files/{rest}`, with no check of its own, and
/// the worker's Content-Type for the name (`.js`: `text/javascript`, others
/// `application/octet-stream`). So what reaches the client is nginx's own judgement of the path.
/// Nothing is in the data directory but what a test puts under `plugins`.
final class NginxWithStubPool: @unchecked Sendable {
    static let filesRoute = "/api/plugins/stub/files/"

    let root: String
    let plugins: String
    let port: Int
    /// Every redirect the responder gave, so a test sees that nginx, not the route, answered.
    let redirects = Tally()
    private let listenFD: Int32
    private let worker: FastCGIWorker
    private let finished = DispatchSemaphore(value: 0)

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lc-stub-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let started = try Stack.runProcess(Stack.launcher, ["start", root, "--no-pool", "--port", "auto"])
        let facts = Stack.parseFacts((try? String(contentsOfFile: root + "/stack.env", encoding: .utf8)) ?? "")
        guard started.status == 0, let socket = facts["STACK_SOCKET"], let dataDir = facts["STACK_DATA_DIR"],
              let port = facts["STACK_URL"].flatMap({ $0.split(separator: ":").last }).flatMap({ Int($0) }) else {
            _ = try? Stack.runProcess(Stack.launcher, ["stop", root])
            throw StackError.failed("deploy/stack --no-pool did not start nginx:\n\(started.output.suffix(3000))")
        }
        self.port = port
        plugins = dataDir + "/plugins"
        do {
            try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: (socket as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            listenFD = try FastCGISocket.listen(unixPath: socket)
        } catch {
            _ = try? Stack.runProcess(Stack.launcher, ["stop", root])
            throw error
        }
        var logger = Logger(label: "test.stub-pool")
        logger.logLevel = .warning
        // No signal handlers: the test process owns its signals.
        worker = FastCGIWorker(configuration: FastCGIWorkerConfiguration(listenFD: listenFD, threads: 2, handlesSignals: false),
                               logger: logger)
        let worker = self.worker, finished = self.finished, redirects = self.redirects, route = Self.filesRoute
        Thread {
            _ = worker.run { request in
                let uri = request.params["REQUEST_URI"] ?? ""
                guard uri.hasPrefix(route) else { return FastCGIResponse(status: 404) }
                let target = "/_plugin_files/" + String(uri.dropFirst(route.count))
                redirects.add(target)
                let type = target.hasSuffix(".js") ? "text/javascript" : "application/octet-stream"
                return FastCGIResponse(status: 200, headers: [("Content-Type", type), ("X-Accel-Redirect", target)])
            }
            finished.signal()
        }.start()
    }

    /// `GET /api/plugins/stub/files/{rest}` through nginx: the responder redirects to `/_plugin_files/{rest}`.
    func get(redirectingTo rest: String) throws -> HTTPResult {
        try httpRequest(port: port, method: "GET", path: Self.filesRoute + rest)
    }

    /// nginx's error log: it names the errno of each open it refused.
    var errorLog: String { (try? String(contentsOfFile: root + "/nginx/error.log", encoding: .utf8)) ?? "" }

    func stop() {
        _ = try? Stack.runProcess(Stack.launcher, ["stop", root])
        worker.requestStop()
        _ = finished.wait(timeout: .now() + 5)
        close(listenFD)
        try? FileManager.default.removeItem(atPath: root)
    }
}
