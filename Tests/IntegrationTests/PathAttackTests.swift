import Foundation
import Testing

/// Hostile paths, bodies and planted links through real nginx and real worker processes: always
/// a 4xx (never a 500, never a dead worker), nothing outside the data directory touched.
@Suite(.serialized, .timeLimit(.minutes(10))) struct PathAttackTests {
    let p = "/api/plugins/"

    /// Slug segments outside the rule. Both doors answer them alike (400 invalid_slug as
    /// problem+json): nginx itself for the bytes it sees (dots, encoded slashes and dots, NULs, bad
    /// escapes, non-ASCII), a worker for what only the slug check catches (the length).
    static let slugAttacks = [
        "..", ".", "%2e%2e", "%2E%2e", ".%2e", "%2e", "%252e%252e", "..%2f..%2fetc%2fpasswd", "%2f", "%2F", "%2fetc%2fpasswd",
        "a%2Fb", "..%5c..%5cwindows", #"..\..\x"#, "%c0%ae%c0%ae", "%e0%80%ae", "braindrive%00network", "%00",
        String(repeating: "a", count: 65), String(repeating: "b", count: 3000), "brain%E2%84%AAdrive", "%ff",
        "braindrive-network%2f..%2f..", "%", "%zz", "a%2", "brain.drive", "brain%20drive",
        "a:b", "a@b", "a+b", "a~b",
    ]

    @Test func pathAttacksOnEveryRouteAreInvalidSlugAtBothDoors() throws {
        // Hundreds of requests with one token: a loose rate, so a 429 never stands in for the answer.
        let stack = try Stack(apiRate: "100000r/s"); defer { stack.stop() }
        let outside = try PlantedTree(); defer { outside.remove() }
        let workers = Set(stack.workerPIDs())
        let routes: [(String, String, Bool)] = [
            ("GET", "info", false), ("GET", "versions", false), ("POST", "install", false), ("DELETE", "uninstall", false),
            ("GET", "status", false), ("POST", "repair", false), ("PUT", "update", false), ("POST", "enable", false),
            ("POST", "modules/ComponentNetworkStatus/disable", false), ("POST", "share", false), ("POST", "bulk-install", true),
            ("GET", "files/dist/remoteEntry.js", false),
        ]
        var doors: Set<String> = []
        for slug in Self.slugAttacks {
            for (method, rest, admin) in routes {
                let token = stack.token(admin ? "root" : "user1", admin: admin)
                let response = try stack.request(method, p + slug + "/" + rest, token: token,
                                                 body: rest == "share" || rest == "bulk-install" ? #"{"user_ids":["user2"]}"# : nil)
                expectProblem(response, 400, "invalid_slug", "\(method) \(slug.prefix(80))/\(rest)")
                #expect(!response.text.contains(stack.dataDir))
                doors.insert(response.text.contains(Self.nginxDetail) ? "nginx" : "worker")
            }
        }
        #expect(doors == ["nginx", "worker"], "the table must reach both doors: \(doors)")
        // Traversal in the raw request line, as curl --path-as-is sends it.
        for path in [p + "../../../etc/passwd", p + "..%2f..%2f..%2fetc/passwd", "/api/plugins/%2e%2e/%2e%2e/etc/status",
                     "/api/plugins/./braindrive-network/./status", p + "..", p + "%2e%2e/%2e%2e/index.html"] {
            expectProblem(try stack.request("GET", path, user: "user1"), 400, "invalid_slug", path)
        }
        // A good slug followed by dot segments: the slug is not at fault, the route does not exist.
        expectProblem(try stack.request("GET", p + "braindrive-network/../../users/user1", user: "user1"), 404, "not_found",
                      "dot segments after a good slug")
        // Route names in the slug's place are not slugs to refuse, openapi.json included.
        #expect(try stack.get(p + "openapi.json").status == 200)
        #expect(try stack.get(p + "%62raindrive-network/info").status == 200, "an encoded letter is still a slug")
        #expect(Set(stack.workerPIDs()) == workers, "a worker died or was replaced")
        #expect(try outside.isUnchanged())
        #expect(!stack.exists("plugins/user1"))
    }

    /// The detail of nginx's own 400 (nginx/plugin-lifecycle.conf, location /_problem/400).
    static let nginxDetail = "The request is malformed"

    @Test func malformedBodiesThroughNginxAreFourHundreds() throws {
        let stack = try Stack(); defer { stack.stop() }
        let workers = Set(stack.workerPIDs())
        let route = p + "braindrive-network/install"
        // Deep nesting reaches a worker's accept-loop thread, whose stack is smaller than main's.
        let cases: [(String, [UInt8], String, Int, String)] = [
            ("not JSON", Array("version=1".utf8), "application/json", 400, "bad_request"),
            ("100,000 nested arrays", Array(String(repeating: "[", count: 100_000).utf8) + Array(String(repeating: "]", count: 100_000).utf8),
             "application/json", 400, "bad_request"),
            ("60,000 nested objects", Array(String(repeating: #"{"a":"#, count: 60_000).utf8) + Array(String(repeating: "}", count: 60_000).utf8),
             "application/json", 400, "bad_request"),
            ("a 1,000,000-byte version", Array((#"{"version":""# + String(repeating: "9", count: 1_000_000) + #""}"#).utf8), "application/json", 400,
             "invalid_version"),
            ("version a number", Array(#"{"version":1}"#.utf8), "application/json", 400, "bad_request"),
            ("text/plain", Array("{}".utf8), "text/plain", 415, "unsupported_media_type"),
            ("over 1 MiB", [UInt8](repeating: 0x20, count: (1 << 20) + 10), "application/json", 413, "payload_too_large"),
            ("invalid UTF-8", [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], "application/json", 400, "bad_request"),
        ]
        for (name, body, type, status, code) in cases {
            let response = try httpRequest(port: stack.port, method: "POST", path: route,
                                           headers: ["Authorization": "Bearer " + stack.token("user1"), "Content-Type": type], body: body)
            expectProblem(response, status, code, name)
        }
        // Content-Length shorter than the body: nginx passes only what was declared, the rest is not JSON.
        let lying = "POST \(route) HTTP/1.0\r\nAuthorization: Bearer \(stack.token("user1"))\r\n"
            + "Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"version\":\"1.0.0\"}"
        let short = try parseHTTPResponse(try rawExchange(port: stack.port, Array(lying.utf8), timeout: 10))
        expectProblem(short, 400, "bad_request", "a Content-Length shorter than the body")
        #expect(Set(stack.workerPIDs()) == workers, "a worker died or was replaced")
        #expect(!stack.exists("plugins/user1"))
    }

    @Test func plantedLinksThroughTheStack() throws {
        let stack = try Stack(); defer { stack.stop() }
        #expect(try stack.request("POST", p + "braindrive-network/install", user: "user1").status == 201)
        let planted = try PlantedTree(); defer { planted.remove() }
        let folder = stack.dataDir + "/plugins/user1/braindrive_network"
        try FileManager.default.removeItem(atPath: folder + "/dist/remoteEntry.js")
        try FileManager.default.createSymbolicLink(atPath: folder + "/dist/remoteEntry.js", withDestinationPath: planted.root + "/file")
        try FileManager.default.removeItem(atPath: folder + "/public")
        try FileManager.default.createSymbolicLink(atPath: folder + "/public", withDestinationPath: planted.root + "/dir")

        // Neither the linked file nor a file under the linked folder is served.
        for file in ["dist/remoteEntry.js", "public/icon.svg"] {
            let served = try stack.get(p + "braindrive-network/files/" + file, user: "user1")
            expectProblem(served, 404, "file_not_found", file)
            #expect(!served.text.contains("outside"))
        }
        let status = try stack.get(p + "braindrive-network/status?verify=full", user: "user1")
        #expect(status.status == 200 && status.data?["status"] as? String != "healthy")
        let repair = try stack.request("POST", p + "braindrive-network/repair", user: "user1")
        #expect(repair.status == 200 && repair.data?["new_status"] as? String == "healthy", "\(repair.text.prefix(300))")
        #expect(try planted.isUnchanged())

        try FileManager.default.removeItem(atPath: folder + "/public")
        try FileManager.default.createSymbolicLink(atPath: folder + "/public", withDestinationPath: planted.root + "/dir")
        #expect(try stack.request("DELETE", p + "braindrive-network/uninstall", user: "user1").status == 200)
        #expect(try planted.isUnchanged())

        // plugins/{user} a link: 503 storage_unavailable, nothing outside touched.
        try FileManager.default.createSymbolicLink(atPath: stack.dataDir + "/plugins/user2", withDestinationPath: planted.root + "/dir")
        let install = try stack.request("POST", p + "braindrive-network/install", user: "user2")
        #expect(install.status == 503 && install.code == "storage_unavailable", "\(install.status) \(install.text.prefix(200))")
        #expect(try planted.isUnchanged())
    }
}

/// A folder outside the stack's data directory that links point at; it must not change.
struct PlantedTree {
    let root: String
    private let initial: [String: String]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lc-planted-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root + "/dir", withIntermediateDirectories: true)
        try "outside\n".write(toFile: root + "/file", atomically: false, encoding: .utf8)
        try "outside dir\n".write(toFile: root + "/dir/icon.svg", atomically: false, encoding: .utf8)
        initial = Self.snapshot(root)
    }

    func isUnchanged() throws -> Bool { Self.snapshot(root) == initial }
    func remove() { try? FileManager.default.removeItem(atPath: root) }

    static func snapshot(_ root: String) -> [String: String] {
        var result: [String: String] = [:]
        for relative in (try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? [] {
            var st = stat()
            guard lstat(root + "/" + relative, &st) == 0 else { continue }
            result[relative] = (st.st_mode & S_IFMT) == S_IFREG
                ? String(decoding: FileManager.default.contents(atPath: root + "/" + relative) ?? Data(), as: UTF8.self)
                : String(st.st_mode & S_IFMT)
        }
        return result
    }
}
