import Foundation
import LifecycleCore
import Logging
import PluginAPI
import TokenAuth

/// The API in-process over a fresh data directory with the sample catalog: no nginx, no libfcgi.
struct APIFixture {
    static let secret = Array("0123456789abcdef0123456789abcdef-test-secret".utf8)
    static let sampleCatalog = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/catalog").path

    let root: String
    let api: PluginAPI

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lc-api-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sampleCatalog, toPath: root + "/catalog")
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let service = try LifecycleService(dataDirectory: root, logger: logger)
        let verifier = try TokenVerifier(configuration: .init(key: .hmacSecret(Self.secret)))
        api = PluginAPI(service: service, verifier: verifier, logger: logger)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

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
