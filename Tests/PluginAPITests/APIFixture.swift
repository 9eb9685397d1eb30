import Foundation
import LifecycleCore
import Logging
import LifecycleStore
import PluginAPI
import StoreTestSupport
import Telemetry
import TokenAuth

/// The API in-process over a fresh data directory with the sample catalog: no nginx, no libfcgi.
struct APIFixture {
    static let secret = Array("0123456789abcdef0123456789abcdef-test-secret".utf8)
    static let sampleCatalog = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/catalog").path

    let root: String
    let api: PluginAPI
    /// On PostgreSQL: the test's own schema, dropped by ``remove()``.
    private let schema: TestSchema?
    /// With telemetry: the request log (a file) and the metrics folder, wired as a worker wires them.
    var logPath: String { root + "/requests.log" }
    var metrics: MetricsDirectory { MetricsDirectory(path: root + "/run/metrics") }

    /// `editCatalog` gets the copied catalog's folder before the service first loads it.
    /// `bundleLinks`: signed bundle URLs handed out and checked (nil: none, as a worker without a secret).
    init(store: TestStore = .sqlite, telemetry: Bool = false, bundleLinks: BundleLinks? = nil,
         editCatalog: ((String) throws -> Void)? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lc-api-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sampleCatalog, toPath: root + "/catalog")
        try editCatalog?(root + "/catalog")
        let schema = try store.makeSchema()
        self.schema = schema
        let location = schema?.location
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let verifier = try TokenVerifier(configuration: .init(key: .hmacSecret(Self.secret)))
        guard telemetry else {
            api = PluginAPI(service: try LifecycleService(dataDirectory: root, logger: logger, observer: nil, location: location),
                            verifier: verifier, logger: logger, bundleLinks: bundleLinks)
            return
        }
        let metrics = MetricsDirectory(path: root + "/run/metrics")
        try FileManager.default.createDirectory(atPath: root + "/run", withIntermediateDirectories: true)
        _ = try metrics.startPool(configuredWorkers: 1)
        let fd = open(root + "/requests.log", O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o600)
        let recorder = RequestTelemetry(counters: try metrics.startWorker(threads: 1), sink: LineSink(fd: fd))
        let observer = DatabaseObserver(
            auditCommitted: { event in
                recorder.lifecycleChanged(LifecycleChange(
                    requestID: event.requestID, actor: event.actor, user: event.userID, slug: event.pluginSlug,
                    action: event.action, fromVersion: event.fromVersion, toVersion: event.toVersion, outcome: event.outcome))
            },
            busyWait: { recorder.databaseBusyWait() })
        let service = try LifecycleService(dataDirectory: root, logger: logger, observer: observer, location: location)
        api = PluginAPI(service: service, verifier: verifier, logger: logger, telemetry: recorder, metrics: metrics,
                        bundleLinks: bundleLinks)
    }

    /// The request log's lines as JSON objects.
    func logLines() throws -> [[String: Any]] {
        try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
        schema?.drop()
    }

    static func token(_ user: String, admin: Bool = false, ttl: TimeInterval = 3600) -> String {
        try! TokenMinter.mint(userID: user, admin: admin, ttl: ttl, secret: secret)
    }

    @discardableResult
    func send(_ method: String, _ path: String, user: String? = nil, authorization: String? = nil,
              body: String? = nil, contentType: String? = "application/json", ifNoneMatch: String? = nil,
              query: [String: String] = [:], bodyTooLarge: Bool = false) -> HTTPResponse {
        let auth = authorization ?? user.map { "Bearer " + Self.token($0) }
        return api.handle(HTTPRequest(method: method, path: path, query: query, authorization: auth,
                                      contentType: body == nil ? nil : contentType, ifNoneMatch: ifNoneMatch,
                                      body: Array((body ?? "").utf8), bodyTooLarge: bodyTooLarge, requestID: "req-1"))
    }
}

extension HTTPResponse {
    var code: String? { jsonObject?["code"] as? String }
    var data: [String: Any]? { jsonObject?["data"] as? [String: Any] }
}
