import Foundation
@testable import LifecycleCore
import LifecycleStore
@testable import PluginAPI
import Testing

/// `GET /api/plugins/{slug}/files/{path}` in-process: the worker's half of a file answer (the
/// checks and the redirect nginx follows; IntegrationTests/FileServingTests has nginx's half).
@Suite(.timeLimit(.minutes(10))) struct FileRouteTests {
    static let p = "/api/plugins/braindrive-chat/files/"
    /// Names that need encoding in a URL and in the redirect, added to braindrive-chat 1.0.0.
    static let oddNames: [(name: String, redirected: String)] = [
        ("a b.js", "a%20b.js"), ("x%41.js", "x%2541.js"), ("é.css", "%C3%A9.css"), ("q?.js", "q%3F.js"), ("#.js", "%23.js"),
    ]

    /// braindrive-chat 1.0.0 (with the odd names under dist/) installed for user1 and user2.
    static func fixture() throws -> APIFixture {
        let f = try APIFixture { catalog in
            for (name, _) in oddNames {
                try Data("/* \(name) */\n".utf8).write(to: URL(fileURLWithPath: catalog + "/braindrive-chat/1.0.0/dist/" + name))
            }
        }
        for user in ["user1", "user2"] {
            let install = f.send("POST", "/api/plugins/braindrive-chat/install", user: user)
            guard install.status == 201 else { throw FixtureError.install(install.status) }
        }
        return f
    }

    enum FixtureError: Error { case install(Int) }

    /// The SHA-256 recorded at install for one of user1's files.
    static func recordedSHA(_ f: APIFixture, _ path: String) throws -> String {
        let rows = try #require(try f.api.service.database.healthRows(userID: "user1", slug: "braindrive_chat"))
        return try #require(rows.files.first { $0.path == path }).sha256
    }

    /// What nginx makes of an X-Accel-Redirect URI: `%XX` decoded once, nothing else.
    static func nginxDecoded(_ uri: String) -> String {
        var bytes: [UInt8] = []
        var i = uri.utf8.startIndex
        let utf8 = uri.utf8
        while i < utf8.endIndex {
            if utf8[i] == UInt8(ascii: "%"), let hex = UInt8(String(decoding: utf8[utf8.index(after: i)..<utf8.index(i, offsetBy: 3)], as: UTF8.self), radix: 16) {
                bytes.append(hex)
                i = utf8.index(i, offsetBy: 3)
            } else {
                bytes.append(utf8[i])
                i = utf8.index(after: i)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func expectRefused(_ response: HTTPResponse, _ status: Int, _ code: String, _ label: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status && response.code == code,
                "\(label.prefix(80)): \(response.status) \(response.code ?? "-")", sourceLocation: sourceLocation)
        #expect(response.header("X-Accel-Redirect") == nil, "\(label.prefix(80)) redirected", sourceLocation: sourceLocation)
        #expect(response.header("Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
    }

    @Test func answerIsAnEmptyRedirectToTheCallersOwnCopy() throws {
        let f = try Self.fixture(); defer { f.remove() }
        let sha = try Self.recordedSHA(f, "dist/remoteEntry.js")
        for method in ["GET", "HEAD"] {
            let response = f.send(method, Self.p + "dist/remoteEntry.js", user: "user1")
            #expect(response.status == 200 && response.body.isEmpty, "\(method)")
            #expect(response.header("X-Accel-Redirect") == "/_plugin_files/user1/braindrive_chat/dist/remoteEntry.js")
            #expect(response.header("Content-Type") == "text/javascript")
            #expect(response.header("ETag") == "\"\(sha)\"")
            #expect(response.header("Cache-Control") == "private, no-cache")
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            #expect(response.header("X-Request-Id") == "req-1")
        }
        // user2's token names user2's folder, whatever user1 has.
        #expect(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user2").header("X-Accel-Redirect")
            == "/_plugin_files/user2/braindrive_chat/dist/remoteEntry.js")
        expectRefused(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user3"), 404, "not_installed", "user3")
        expectRefused(f.send("GET", Self.p + "dist/remoteEntry.js"), 401, "missing_token", "no token")
        // A spelling of the slug that canonicalises to it; the redirect names the canonical folder.
        #expect(f.send("GET", "/api/plugins/BrainDrive-Chat/files/dist/remoteEntry.js", user: "user1").header("X-Accel-Redirect")
            == "/_plugin_files/user1/braindrive_chat/dist/remoteEntry.js")
        #expect(f.send("POST", Self.p + "dist/remoteEntry.js", user: "user1").status == 405)
    }

    @Test func aMatchingIfNoneMatchIs304WithoutARedirect() throws {
        let f = try Self.fixture(); defer { f.remove() }
        let tag = "\"\(try Self.recordedSHA(f, "dist/remoteEntry.js"))\""
        for header in [tag, "W/" + tag, "\"other\", " + tag, "*"] {
            let response = f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1", ifNoneMatch: header)
            #expect(response.status == 304 && response.body.isEmpty, "\(header)")
            #expect(response.header("X-Accel-Redirect") == nil && response.header("ETag") == tag)
            #expect(response.header("Cache-Control") == "private, no-cache")
        }
        #expect(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1", ifNoneMatch: "\"other\"").status == 200)
        // Another file's tag is another tag.
        #expect(f.send("GET", Self.p + "README.md", user: "user1", ifNoneMatch: tag).status == 200)
    }

    /// The redirect names the recorded file with every byte outside `[A-Za-z0-9._~/-]` encoded,
    /// so nginx's single decoding gives back the name exactly (`%`, `?`, `#`, spaces, UTF-8).
    @Test func namesAreEncodedForNginxsOneDecoding() throws {
        let f = try Self.fixture(); defer { f.remove() }
        for (name, redirected) in Self.oddNames {
            let response = f.send("GET", Self.p + "dist/" + PluginAPI.redirectEncoded(name), user: "user1")
            let location = try #require(response.header("X-Accel-Redirect"), "\(name): \(response.status) \(response.code ?? "")")
            #expect(location == "/_plugin_files/user1/braindrive_chat/dist/" + redirected)
            #expect(Self.nginxDecoded(location) == "/_plugin_files/user1/braindrive_chat/dist/" + name)
        }
        // A name sent unencoded where a URL allows it (space and é arrive raw from some clients).
        #expect(f.send("GET", Self.p + "dist/é.css", user: "user1").header("X-Accel-Redirect")
            == "/_plugin_files/user1/braindrive_chat/dist/%C3%A9.css")
        #expect(f.send("GET", Self.p + "dist/é.css", user: "user1").header("Content-Type") == "text/css")
    }

    @Test func contentTypeFollowsTheExtension() throws {
        let table: [(String, String)] = [
            ("a.js", "text/javascript"), ("a.MJS", "text/javascript"),
            ("a.css", "text/css"), ("a.json", "application/json"), ("a.js.map", "application/json"),
            ("a.svg", "image/svg+xml"), ("a.png", "image/png"), ("a.jpg", "image/jpeg"), ("a.jpeg", "image/jpeg"),
            ("a.gif", "image/gif"), ("a.webp", "image/webp"), ("a.avif", "image/avif"), ("a.ico", "image/x-icon"),
            ("f.woff2", "font/woff2"), ("f.woff", "font/woff"), ("f.ttf", "font/ttf"), ("f.otf", "font/otf"),
            ("README.md", "application/octet-stream"), ("Makefile", "application/octet-stream"),
            ("a.html", "application/octet-stream"), ("dir.js/file", "application/octet-stream"), ("a.", "application/octet-stream"),
        ]
        for (path, type) in table { #expect(FileTypes.contentType(of: path) == type, "\(path)") }
        let f = try Self.fixture(); defer { f.remove() }
        #expect(f.send("GET", Self.p + "public/icon.svg", user: "user1").header("Content-Type") == "image/svg+xml")
        #expect(f.send("GET", Self.p + "package.json", user: "user1").header("Content-Type") == "application/json")
        #expect(f.send("GET", Self.p + "README.md", user: "user1").header("Content-Type") == "application/octet-stream")
    }

    /// Each a 4xx and never a redirect: the path rules, the installer's file, other users' folders.
    @Test func hostilePathsAreRefusedWithoutARedirect() throws {
        let f = try Self.fixture(); defer { f.remove() }
        let invalid = [
            "..", ".", "%2e%2e", "%2E%2E/%2e%2e/user2/braindrive_chat/dist/remoteEntry.js", "dist/../dist/remoteEntry.js",
            "./dist/remoteEntry.js", "a%2Fb", "dist%2FremoteEntry.js", "%2f", "%00", "dist/remoteEntry.js%00.png",
            "dist%5cremoteEntry.js", #"dist\remoteEntry.js"#, "dist//remoteEntry.js", "dist/remoteEntry.js/", "%ff", "%zz", "%", "a%2",
            "%0a", "%7f", "../../user2/braindrive_chat/dist/remoteEntry.js", "../../user2/x",
            String(repeating: "a/", count: 512) + "b", String(repeating: "x", count: 1_025),
            String(repeating: "y", count: 9_000), String(repeating: "%41", count: 3_000),
            Array(repeating: "d", count: 34).joined(separator: "/"),
        ]
        for raw in invalid { expectRefused(f.send("GET", Self.p + raw, user: "user1"), 400, "invalid_path", raw) }
        // At the limits, well-formed: looked up, and simply not there.
        let notFound = [
            String(repeating: "z", count: 1_024), Array(repeating: "d", count: 33).joined(separator: "/"),
            "plugin_metadata.json", "plugin_metadata%2Ejson", "dist/missing.js", "dist/REMOTEENTRY.JS", "dist",
        ]
        for raw in notFound { expectRefused(f.send("GET", Self.p + raw, user: "user1"), 404, "file_not_found", raw) }
        // No tail at all is no route.
        expectRefused(f.send("GET", Self.p, user: "user1"), 404, "not_found", "empty tail")
        expectRefused(f.send("GET", "/api/plugins/braindrive-chat/files", user: "user1"), 404, "not_found", "no slash")
        expectRefused(f.send("GET", "/api/plugins/%2e%2e/files/dist/remoteEntry.js", user: "user1"), 400, "invalid_slug", "slug")
    }

    @Test func aDisabledPluginIs403UntilEnabled() throws {
        let f = try Self.fixture(); defer { f.remove() }
        #expect(f.send("POST", "/api/plugins/braindrive-chat/disable", user: "user1").status == 200)
        expectRefused(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1"), 403, "plugin_disabled", "disabled")
        // Only user1's copy is off.
        #expect(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user2").status == 200)
        #expect(f.send("POST", "/api/plugins/braindrive-chat/enable", user: "user1").status == 200)
        #expect(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1").status == 200)
    }

    @Test func aLiveOperationIs409AndADeadOnesLeaseIsRolledBackFirst() throws {
        let f = try Self.fixture(); defer { f.remove() }
        func lease(_ id: String, expiresIn: Double) throws {
            try f.api.service.database.pool.write { db in
                try OperationLease(userID: "user1", pluginSlug: "braindrive_chat", operationID: id, operation: "update",
                                   owner: ProcessIdentity.current, expiresAt: Date().timeIntervalSince1970 + expiresIn).insert(db)
            }
        }
        try lease("live01", expiresIn: 600)
        expectRefused(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1"), 409, "operation_in_progress", "live lease")
        #expect(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user2").status == 200)
        try f.api.service.database.releaseLease(operationID: "live01")
        try lease("expired01", expiresIn: -1)
        #expect(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1").status == 200)
        #expect(try f.api.service.database.allLeases().isEmpty)
    }

    @Test func aFileOfAnotherSizeIs409AndAMissingOne404UntilRepaired() throws {
        let f = try Self.fixture(); defer { f.remove() }
        let file = f.root + "/plugins/user1/braindrive_chat/dist/remoteEntry.js"
        let original = try Data(contentsOf: URL(fileURLWithPath: file))
        try (original + Data("//".utf8)).write(to: URL(fileURLWithPath: file))
        expectRefused(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1"), 409, "file_damaged", "longer")
        // Same size, other bytes: served under the recorded tag (status?verify=full finds it).
        try Data(repeating: 0x20, count: original.count).write(to: URL(fileURLWithPath: file))
        #expect(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1").status == 200)
        try FileManager.default.removeItem(atPath: file)
        expectRefused(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1"), 404, "file_not_found", "removed")
        try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: false)
        expectRefused(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1"), 404, "file_not_found", "a folder")
        try FileManager.default.removeItem(atPath: file)
        #expect(f.send("POST", "/api/plugins/braindrive-chat/repair", user: "user1").status == 200)
        #expect(f.send("GET", Self.p + "dist/remoteEntry.js", user: "user1").status == 200)
    }

    /// Only the token form exists yet; a signed route passes its own policy through the same function.
    @Test func theCachePolicyNeedsTheContentHashToBeImmutable() {
        let file = ServedFile(path: "dist/remoteEntry.js", size: 1, sha256: "abcdef0123456789" + String(repeating: "0", count: 48),
                              version: "1.0.0", scope: nil, bundleLocation: nil)
        #expect(FileCachePolicy.revalidate.header(for: file) == "private, no-cache")
        #expect(FileCachePolicy.immutable(maxAge: 600, contentHash: "abcdef0123456789").header(for: file) == "private, max-age=600, immutable")
        #expect(FileCachePolicy.immutable(maxAge: 600, contentHash: "abcdef0123456780").header(for: file) == "private, no-cache")
        #expect(FileCachePolicy.immutable(maxAge: 600, contentHash: "").header(for: file) == "private, no-cache")
        #expect(FileCachePolicy.immutable(maxAge: -5, contentHash: "abcdef").header(for: file) == "private, max-age=0, immutable")
    }
}
