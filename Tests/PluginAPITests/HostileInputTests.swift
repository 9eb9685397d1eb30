import Foundation
import LifecycleCore
import Logging
import PluginAPI
import Testing
import TokenAuth

/// Hostile input through the in-process API (the whole request path short of the socket): every
/// answer is the contract's 4xx, never a 500, and nothing outside the data directory is touched.
@Suite(.timeLimit(.minutes(10))) struct HostileInputTests {
    static let p = "/api/plugins/"

    /// Slugs as they would appear, still percent-encoded, in one path segment.
    static let slugAttacks: [String] = [
        "..", ".", "%2e%2e", "%2E%2E", ".%2e", "%2e", "%252e%252e", "%252e%252e%252fetc",
        "..%2f..%2fetc%2fpasswd", "%2f", "%2fetc%2fpasswd", "%2F..%2F..", "..%5c..%5cwindows", #"..\..\x"#,
        "%c0%ae%c0%ae", "%c0%af", "%e0%80%ae%e0%80%ae", "%ef%bc%8e%ef%bc%8e", "braindrive%00network", "%00",
        String(repeating: "a", count: 65), String(repeating: "a", count: 4096), "braindrive-network%20",
        "%e2%80%aebraindrive", "brain%E2%84%AAdrive", "%EF%BD%82rain", "%", "%zz", "%2", "~root", "_network",
        ".hidden", "braindrive-network%2f..%2f..", "braindrive-network;rm", "braindrive-network%0d%0aX-Evil:1",
        "braindrive-network%3f", "%ff%fe",
    ]

    /// Every route with a slug: method, path after the slug, needs admin.
    static let slugRoutes: [(String, String, Bool)] = [
        ("GET", "info", false), ("GET", "versions", false), ("POST", "install", false), ("DELETE", "uninstall", false),
        ("GET", "status", false), ("POST", "repair", false), ("PUT", "update", false), ("POST", "enable", false),
        ("POST", "disable", false), ("POST", "modules/ComponentNetworkStatus/enable", false), ("POST", "share", false),
        ("POST", "bulk-install", true), ("POST", "bulk-uninstall", true),
    ]

    @Test(arguments: slugAttacks)
    func slugAttackIsInvalidSlugOnEveryRoute(_ slug: String) throws {
        let fixture = try APIFixture(); defer { fixture.remove() }
        let outside = try OutsideTree(); defer { outside.remove() }
        for (method, rest, admin) in Self.slugRoutes {
            let auth = "Bearer " + APIFixture.token("user1", admin: admin)
            let body = rest.hasPrefix("share") || rest.hasPrefix("bulk") ? #"{"user_ids":["user2"]}"# : nil
            let response = fixture.send(method, Self.p + slug + "/" + rest, authorization: auth, body: body)
            #expect(response.status == 400 && response.code == "invalid_slug",
                    "\(method) \(slug)/\(rest): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
            #expect(response.header("Content-Type") == "application/problem+json")
        }
        // With a raw `/` the path has other segments: no route, never a look at the disk.
        let split = fixture.send("GET", Self.p + "a/../../" + slug + "/status", user: "user1")
        #expect(split.status == 404 && split.code == "not_found")
        #expect(try outside.isUnchanged())
        #expect(Self.pluginsTree(fixture).isEmpty, "\(Self.pluginsTree(fixture))")
    }

    static let versionAttacks: [String] = [
        "../1.0.0", "1.0.0/../../x", "%2e%2e", "1.0.0\u{0}", "1.0.0\n", String(repeating: "9", count: 10_000),
        "99999999999999999999999.0.0", "latest", "", " 1.0.0", "v1.0.0",
        "1.0.0+build/../x", "１.０.０",
    ]

    @Test(arguments: versionAttacks)
    func versionAttackIsInvalidVersion(_ version: String) throws {
        let fixture = try APIFixture(); defer { fixture.remove() }
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["version": version, "user_ids": ["user2"]]), as: UTF8.self)
        for (method, route, admin) in [("POST", "install", false), ("PUT", "update", false), ("POST", "bulk-install", true)] {
            let response = fixture.send(method, Self.p + "braindrive-network/" + route,
                                        authorization: "Bearer " + APIFixture.token("user1", admin: admin), body: body)
            #expect(response.status == 400 && response.code == "invalid_version", "\(route): \(response.status) \(response.code ?? "-")")
        }
        #expect(Self.pluginsTree(fixture).isEmpty)
    }

    /// Ids in the other segment positions: share ids, purge user ids, module names.
    @Test func otherPathSegmentsAreRefusedWithFourHundreds() throws {
        let fixture = try APIFixture(); defer { fixture.remove() }
        let outside = try OutsideTree(); defer { outside.remove() }
        #expect(fixture.send("POST", Self.p + "braindrive-network/install", user: "user1").status == 201)
        let admin = "Bearer " + APIFixture.token("root", admin: true)
        for attack in ["..", "%2e%2e", "%2f", "1%00", "-1", "99999999999999999999999999", String(repeating: "9", count: 500), "1;DROP", "%c0%ae"] {
            for (method, path) in [("POST", "shared/\(attack)/accept"), ("DELETE", "shared/\(attack)")] {
                let response = fixture.send(method, Self.p + path, user: "user2")
                #expect([400, 404].contains(response.status), "\(method) \(path): \(response.status)")
                #expect(response.status != 404 || response.code == "share_not_found" || response.code == "not_found")
            }
            // "-1" and long digit strings are valid user ids (hyphens dropped), so purge answers them 200.
            if !["-1", "99999999999999999999999999"].contains(attack) {
                let purge = fixture.send("DELETE", Self.p + "users/" + attack, authorization: admin)
                #expect(purge.status == 400 && purge.code == "bad_request", "purge \(attack): \(purge.status)")
            }
            let module = fixture.send("POST", Self.p + "braindrive-network/modules/\(attack)/enable", user: "user1")
            #expect(module.status == 404 && module.code == "not_found", "module \(attack): \(module.status) \(module.code ?? "-")")
        }
        #expect(try outside.isUnchanged())
        #expect(Self.pluginsTree(fixture) == ["user1"])
    }

    struct BodyCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let body: [UInt8]
        var contentType: String? = "application/json"
        var tooLarge = false
        let status: Int
        let code: String
    }

    static let bodyCases: [BodyCase] = [
        .init(testDescription: "not JSON", body: Array("version=1.0.0".utf8), status: 400, code: "bad_request"),
        .init(testDescription: "truncated JSON", body: Array(#"{"version":"1.0"#.utf8), status: 400, code: "bad_request"),
        .init(testDescription: "a JSON array", body: Array(#"["1.0.0"]"#.utf8), status: 400, code: "bad_request"),
        .init(testDescription: "a JSON string", body: Array(#""1.0.0""#.utf8), status: 400, code: "bad_request"),
        .init(testDescription: "JSON null", body: Array("null".utf8), status: 400, code: "bad_request"),
        .init(testDescription: "100,000 nested arrays", body: Array(String(repeating: "[", count: 100_000).utf8)
            + Array(String(repeating: "]", count: 100_000).utf8), status: 400, code: "bad_request"),
        .init(testDescription: "50,000 nested objects", body: Array(String(repeating: #"{"a":"#, count: 50_000).utf8) + Array("1".utf8)
            + Array(String(repeating: "}", count: 50_000).utf8), status: 400, code: "bad_request"),
        .init(testDescription: "unclosed nesting", body: Array(String(repeating: "[", count: 500_000).utf8), status: 400, code: "bad_request"),
        .init(testDescription: "a 900 KB version string", body: Array((#"{"version":""# + String(repeating: "9", count: 900_000) + #""}"#).utf8),
              status: 400, code: "invalid_version"),
        .init(testDescription: "version as a number", body: Array(#"{"version":1}"#.utf8), status: 400, code: "bad_request"),
        .init(testDescription: "version as an object", body: Array(#"{"version":{"major":1}}"#.utf8), status: 400, code: "bad_request"),
        .init(testDescription: "version 1e999", body: Array(#"{"version":1e999}"#.utf8), status: 400, code: "bad_request"),
        .init(testDescription: "invalid UTF-8", body: [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D], status: 400, code: "bad_request"),
        .init(testDescription: "NUL inside", body: Array("{\"version\":\"1.0.0\"}\u{0}".utf8), status: 400, code: "bad_request"),
        .init(testDescription: "text/plain", body: Array("{}".utf8), contentType: "text/plain", status: 415, code: "unsupported_media_type"),
        .init(testDescription: "no Content-Type", body: Array("{}".utf8), contentType: nil, status: 415, code: "unsupported_media_type"),
        .init(testDescription: "multipart", body: Array("--x\r\n\r\n{}".utf8), contentType: "multipart/form-data; boundary=x",
              status: 415, code: "unsupported_media_type"),
        .init(testDescription: "a Content-Type of 10 KB", body: Array("{}".utf8), contentType: String(repeating: "a", count: 10_000),
              status: 415, code: "unsupported_media_type"),
        .init(testDescription: "over the body limit", body: [], tooLarge: true, status: 413, code: "payload_too_large"),
    ]

    @Test(arguments: bodyCases)
    func malformedBodiesOnPostRoutes(_ testCase: BodyCase) throws {
        let fixture = try APIFixture(); defer { fixture.remove() }
        for (method, route, admin) in [("POST", "braindrive-network/install", false), ("PUT", "braindrive-network/update", false),
                                       ("POST", "braindrive-network/share", false), ("POST", "braindrive-network/bulk-install", true)] {
            let request = HTTPRequest(method: method, path: Self.p + route,
                                      authorization: "Bearer " + APIFixture.token("user1", admin: admin),
                                      contentType: testCase.contentType, body: testCase.body, bodyTooLarge: testCase.tooLarge)
            let response = fixture.api.handle(request)
            // The version rule applies where a version is read; share reads user_ids first.
            let readsUserIDsFirst = route.hasSuffix("share") || route.hasSuffix("bulk-install")
            let code = testCase.code == "invalid_version" && readsUserIDsFirst ? "bad_request" : testCase.code
            #expect(response.status == testCase.status && response.code == code,
                    "\(route): \(response.status) \(response.code ?? "-")")
        }
        #expect(Self.pluginsTree(fixture).isEmpty)
    }

    @Test func wrongTypesInUserIDs() throws {
        let fixture = try APIFixture(); defer { fixture.remove() }
        let admin = "Bearer " + APIFixture.token("root", admin: true)
        let many = "[" + Array(repeating: #""u""#, count: 1_001).joined(separator: ",") + "]"
        for ids in [#""user2""#, "[]", "[1,2]", "[null]", #"[["user2"]]"#, #"["../x"]"#, #"["u\u0000"]"#, many,
                    #"[""# + String(repeating: "a", count: 100_000) + #""]"#, #"{"0":"user2"}"#] {
            for route in ["braindrive-network/bulk-install", "braindrive-network/bulk-uninstall"] {
                let response = fixture.send("POST", Self.p + route, authorization: admin, body: #"{"user_ids":\#(ids)}"#)
                #expect(response.status == 400 && response.code == "bad_request", "\(route) \(ids.prefix(40)): \(response.status)")
            }
        }
        #expect(Self.pluginsTree(fixture).isEmpty)
    }

    /// The attacks of JWTAttackTests that can be built here, through the HTTP layer: 401 with the
    /// contract's code and challenge, on a user route and on a public one.
    @Test func hostileTokensThroughTheAPI() throws {
        let fixture = try APIFixture(); defer { fixture.remove() }
        let valid = APIFixture.token("user1")
        let parts = valid.split(separator: ".").map(String.init)
        func b64(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let mint = { (claims: [String: any Sendable]) in
            try! TokenMinter.mint(userID: "user1", secret: APIFixture.secret, extraClaims: claims)
        }
        let attacks: [(String, String, String)] = [
            ("alg none", b64(#"{"alg":"none"}"#) + "." + parts[1] + ".", "invalid_token"),
            ("alg NONE", b64(#"{"alg":"NONE","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2], "invalid_token"),
            ("HS512 header", b64(#"{"alg":"HS512","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2], "invalid_token"),
            ("jwk header", b64(#"{"alg":"HS256","jwk":{"kty":"oct","k":"AAAA"}}"#) + "." + parts[1] + "." + parts[2], "invalid_token"),
            ("wrong secret", try TokenMinter.mint(userID: "user1", secret: Array("x-secret-x-secret-x-secret-x-secret".utf8)), "invalid_token"),
            ("padded signature", valid + "=", "invalid_token"),
            ("standard alphabet", valid.replacingOccurrences(of: "-", with: "+") + "/", "invalid_token"),
            ("extra segment", valid + ".AAAA", "invalid_token"),
            ("empty segments", "..", "invalid_token"),
            ("over 8 KiB", mint(["pad": String(repeating: "A", count: 9_000)]), "invalid_token"),
            ("refresh", mint(["refresh": true]), "invalid_token"),
            ("type Refresh", mint(["type": "Refresh"]), "invalid_token"),
            ("sub a number", mint(["sub": 42]), "invalid_token"),
            ("sub traversal", mint(["sub": "../../etc"]), "invalid_token"),
            ("exp a string", mint(["exp": "4102444800"]), "invalid_token"),
            ("nbf in a day", mint(["nbf": Int(Date().timeIntervalSince1970) + 86_400]), "invalid_token"),
            ("expired", try TokenMinter.mint(userID: "user1", ttl: -3_600, secret: APIFixture.secret), "expired_token"),
        ]
        for (name, token, code) in attacks {
            for (method, path) in [("GET", "installed"), ("GET", "braindrive-network/info"), ("POST", "braindrive-network/install")] {
                let response = fixture.send(method, Self.p + path, authorization: "Bearer " + token)
                #expect(response.status == 401 && response.code == code, "\(name) \(path): \(response.status) \(response.code ?? "-")")
                #expect(response.header("WWW-Authenticate") == #"Bearer realm="plugins", error="invalid_token""#, "\(name)")
            }
        }
        #expect(Self.pluginsTree(fixture).isEmpty)
    }

    /// Users that have a folder under plugins/.
    static func pluginsTree(_ fixture: APIFixture) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/plugins")) ?? []).sorted()
    }
}

/// Links planted inside a user's plugin folder (someone with disk access, or a plugin's own
/// tooling) before status, repair, update and uninstall: the targets outside stay untouched and
/// the operations answer sensibly.
@Suite(.timeLimit(.minutes(10))) struct PlantedLinkTests {
    static let p = "/api/plugins/"
    static let file = "dist/remoteEntry.js"

    struct Setup {
        let fixture: APIFixture
        let outside: OutsideTree
        var folder: String { fixture.root + "/plugins/user1/braindrive_network" }

        /// braindrive-network 1.0.0 installed for user1; `outside` holds copies of its files, so a
        /// status that followed links would find them "healthy".
        init() throws {
            fixture = try APIFixture()
            let install = fixture.send("POST", PlantedLinkTests.p + "braindrive-network/install", user: "user1",
                                       body: #"{"version":"1.0.0"}"#)
            guard install.status == 201 else { throw SetupError.install(install.status) }
            let folder = fixture.root + "/plugins/user1/braindrive_network"
            outside = try OutsideTree().addCopy(of: folder + "/dist", as: "distcopy")
                .addCopy(of: folder, as: "plugincopy").addCopy(of: fixture.root + "/plugins/user1", as: "usercopy")
        }

        func remove() { fixture.remove(); outside.remove() }

        func replace(_ relative: String, withLinkTo target: String) throws {
            let path = folder + "/" + relative
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        }

        func status(_ verify: String? = nil) -> (Int, String?) {
            let response = fixture.send("GET", PlantedLinkTests.p + "braindrive-network/status", user: "user1",
                                        query: verify.map { ["verify": $0] } ?? [:])
            return (response.status, response.data?["status"] as? String)
        }

        func send(_ method: String, _ route: String, body: String? = nil) -> HTTPResponse {
            fixture.send(method, PlantedLinkTests.p + "braindrive-network/" + route, user: "user1", body: body)
        }

        /// The file route on the planted path: never served (no redirect for nginx to follow).
        func expectNotServed(_ path: String = PlantedLinkTests.file, sourceLocation: SourceLocation = #_sourceLocation) {
            let response = send("GET", "files/" + path)
            #expect(response.status == 404 && response.code == "file_not_found", "\(response.status) \(response.code ?? "-")",
                    sourceLocation: sourceLocation)
            #expect(response.header("X-Accel-Redirect") == nil, sourceLocation: sourceLocation)
        }

        func isLink(_ path: String) -> Bool {
            var st = stat()
            return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
        }
    }

    enum SetupError: Error { case install(Int) }

    @Test func fileLinkIsReportedRepairedAndNeverFollowed() throws {
        let setup = try Setup(); defer { setup.remove() }
        try setup.replace(Self.file, withLinkTo: setup.outside.root + "/distcopy/remoteEntry.js")
        setup.expectNotServed()
        #expect(setup.status().0 == 200 && setup.status().1 != "healthy")
        #expect(setup.status("full").1 != "healthy")
        let repair = setup.send("POST", "repair")
        #expect(repair.status == 200 && repair.data?["new_status"] as? String == "healthy", "\(repair.status)")
        #expect(!setup.isLink(setup.folder + "/" + Self.file) && FileManager.default.fileExists(atPath: setup.folder + "/" + Self.file))
        #expect(try setup.outside.isUnchanged())

        try setup.replace(Self.file, withLinkTo: setup.outside.root + "/file")
        let update = setup.send("PUT", "update", body: #"{"version":"1.1.0"}"#)
        #expect(update.status == 200 && update.data?["new_version"] as? String == "1.1.0")
        #expect(!setup.isLink(setup.folder + "/" + Self.file))
        #expect(try setup.outside.isUnchanged())

        try setup.replace(Self.file, withLinkTo: setup.outside.root + "/file")
        #expect(setup.send("DELETE", "uninstall").status == 200)
        #expect(!FileManager.default.fileExists(atPath: setup.folder))
        #expect(try setup.outside.isUnchanged())
    }

    @Test func subfolderLinkIsReportedRepairedAndNeverFollowed() throws {
        let setup = try Setup(); defer { setup.remove() }
        // The linked folder holds identical files: only a status that refuses links sees the damage.
        try setup.replace("dist", withLinkTo: setup.outside.root + "/distcopy")
        setup.expectNotServed()
        #expect(setup.status().1 == "files_missing")
        #expect(setup.status("full").1 == "files_missing")
        let repair = setup.send("POST", "repair")
        #expect(repair.status == 200 && repair.data?["new_status"] as? String == "healthy", "\(repair.status)")
        #expect(!setup.isLink(setup.folder + "/dist"))
        #expect(try setup.outside.isUnchanged())

        try setup.replace("dist", withLinkTo: setup.outside.root + "/distcopy")
        #expect(setup.send("PUT", "update", body: #"{"version":"1.1.0"}"#).status == 200)
        #expect(try setup.outside.isUnchanged())
        try setup.replace("dist", withLinkTo: setup.outside.root + "/dir")
        #expect(setup.send("DELETE", "uninstall").status == 200)
        #expect(!FileManager.default.fileExists(atPath: setup.folder))
        #expect(try setup.outside.isUnchanged())
    }

    @Test func pluginFolderReplacedByALink() throws {
        let setup = try Setup(); defer { setup.remove() }
        try FileManager.default.removeItem(atPath: setup.folder)
        try FileManager.default.createSymbolicLink(atPath: setup.folder, withDestinationPath: setup.outside.root + "/plugincopy")
        setup.expectNotServed()
        setup.expectNotServed("package.json")
        #expect(setup.status().1 == "files_missing")
        #expect(setup.status("full").1 == "files_missing")
        let repair = setup.send("POST", "repair")
        #expect(repair.status == 200 && repair.data?["new_status"] as? String == "healthy", "\(repair.status)")
        #expect(!setup.isLink(setup.folder))
        #expect(try setup.outside.isUnchanged())

        try FileManager.default.removeItem(atPath: setup.folder)
        try FileManager.default.createSymbolicLink(atPath: setup.folder, withDestinationPath: setup.outside.root + "/plugincopy")
        #expect(setup.send("DELETE", "uninstall").status == 200)
        // The link went, its target stayed.
        #expect(!setup.isLink(setup.folder) && !FileManager.default.fileExists(atPath: setup.folder))
        #expect(try setup.outside.isUnchanged())
    }

    /// `plugins/{user}` itself a link: nothing is read, moved or written through it. Operations
    /// that would have to use it answer 503 storage_unavailable (an operator must look).
    @Test func userFolderReplacedByALink() throws {
        let setup = try Setup(); defer { setup.remove() }
        let userFolder = setup.fixture.root + "/plugins/user1"
        try FileManager.default.removeItem(atPath: userFolder)
        try FileManager.default.createSymbolicLink(atPath: userFolder, withDestinationPath: setup.outside.root + "/usercopy")
        setup.expectNotServed()
        #expect(setup.status().1 == "files_missing")
        #expect(setup.status("full").1 == "files_missing")
        for (method, route, body) in [("POST", "repair", nil), ("PUT", "update", #"{"version":"1.1.0"}"#), ("DELETE", "uninstall", nil)] {
            let response = setup.send(method, route, body: body)
            #expect(response.status == 503 && response.code == "storage_unavailable", "\(route): \(response.status) \(response.code ?? "-")")
            #expect(!String(decoding: response.body, as: UTF8.self).contains(setup.outside.root))
            #expect(try setup.outside.isUnchanged(), "\(route)")
        }
        let other = setup.fixture.send("POST", Self.p + "braindrive-settings/install", user: "user1")
        #expect(other.status == 503 && other.code == "storage_unavailable")
        #expect(try setup.outside.isUnchanged())
        #expect(setup.isLink(userFolder))
    }

    /// Only links inside the data directory are refused: an operator's link to the data directory
    /// itself keeps working.
    @Test func dataDirectoryReachedThroughALinkWorks() throws {
        let real = FileManager.default.temporaryDirectory.appendingPathComponent("lc-real-\(UUID().uuidString)").path
        let link = real + "-link"
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: APIFixture.sampleCatalog, toPath: real + "/catalog")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        defer { try? FileManager.default.removeItem(atPath: real); try? FileManager.default.removeItem(atPath: link) }
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let api = PluginAPI(service: try LifecycleService(dataDirectory: link, logger: logger),
                            verifier: try TokenVerifier(configuration: .init(key: .hmacSecret(APIFixture.secret))), logger: logger)
        let auth = "Bearer " + APIFixture.token("user1")
        func send(_ method: String, _ route: String) -> HTTPResponse {
            api.handle(HTTPRequest(method: method, path: Self.p + "braindrive-network/" + route, authorization: auth))
        }
        #expect(send("POST", "install").status == 201)
        #expect(send("GET", "status").data?["status"] as? String == "healthy")
        #expect(send("POST", "repair").status == 200)
        #expect(send("DELETE", "uninstall").status == 200)
        #expect(!FileManager.default.fileExists(atPath: real + "/plugins/user1/braindrive_network"))
    }
}

