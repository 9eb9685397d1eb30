import Foundation
@testable import LifecycleCore
@testable import PluginAPI
import Synchronization
import Testing
import TokenAuth

/// Signed bundle URLs in-process: handed out by status and installed, accepted by
/// `GET /api/plugins/{slug}/bundles/{grant}/{path}` with no token, refused when altered, another
/// user's, for another version, outside their folder or expired (IntegrationTests has nginx's half).
@Suite(.timeLimit(.minutes(10))) struct BundleRouteTests {
    static let secret = Array("bundle-secret-for-tests-0123456789abcdef".utf8)
    static let start = 1_765_000_000
    static let ttl = 900

    /// A clock the tests move.
    final class Clock: Sendable {
        let seconds = Atomic<Int>(BundleRouteTests.start)
        var links: BundleLinks {
            BundleLinks(signer: BundleSigner(secret: BundleRouteTests.secret), ttl: BundleRouteTests.ttl,
                        now: { self.seconds.load(ordering: .relaxed) })
        }
    }

    /// braindrive-chat 1.0.0 (plus a chunk beside its entry) installed for user1 and user2.
    static func fixture(_ clock: Clock?) throws -> APIFixture {
        let f = try APIFixture(bundleLinks: clock?.links) { catalog in
            try Data("/* chunk */\n".utf8).write(to: URL(fileURLWithPath: catalog + "/braindrive-chat/1.0.0/dist/chunk-1.js"))
        }
        for user in ["user1", "user2"] {
            let install = f.send("POST", "/api/plugins/braindrive-chat/install", user: user)
            guard install.status == 201 else { throw FixtureError.install(install.status) }
        }
        return f
    }

    enum FixtureError: Error { case install(Int) }

    /// A URL as a browser sends it: path and query apart, no token unless given.
    static func get(_ f: APIFixture, _ url: String, user: String? = nil, authorization: String? = nil,
                    ifNoneMatch: String? = nil) -> HTTPResponse {
        let parts = url.split(separator: "?", maxSplits: 1).map(String.init)
        let query = parts.count > 1 ? HTTPRequest.parseQuery(parts[1]) : [:]
        return f.send("GET", parts[0], user: user, authorization: authorization, ifNoneMatch: ifNoneMatch, query: query)
    }

    static func bundleURL(_ f: APIFixture, _ user: String, _ slug: String = "braindrive-chat") throws -> String {
        let status = f.send("GET", "/api/plugins/\(slug)/status", user: user)
        return try #require(status.data?["bundle_url"] as? String, "\(String(decoding: status.body, as: UTF8.self))")
    }

    func expectRefused(_ response: HTTPResponse, _ status: Int, _ code: String, _ label: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status && response.code == code,
                "\(label): \(response.status) \(response.code ?? "-")", sourceLocation: sourceLocation)
        #expect(response.header("X-Accel-Redirect") == nil, "\(label) redirected", sourceLocation: sourceLocation)
    }

    @Test func statusAndInstalledHandOutAURLThatLoadsWithoutAToken() throws {
        let clock = Clock()
        let f = try Self.fixture(clock); defer { f.remove() }
        let status = try #require(f.send("GET", "/api/plugins/braindrive-chat/status", user: "user1").data)
        let url = try #require(status["bundle_url"] as? String)
        let expiresAt = BundleSigner.expiry(now: Self.start, ttl: Self.ttl)
        #expect(url.hasPrefix("/api/plugins/braindrive_chat/bundles/user1~1.0.0~\(expiresAt)~"), "\(url)")
        #expect(url.range(of: #"/dist/remoteEntry\.js\?h=[0-9a-f]{16}$"#, options: .regularExpression) != nil, "\(url)")
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(status["bundle_url_expires_at"] as? String == iso.string(from: Date(timeIntervalSince1970: TimeInterval(expiresAt))))
        #expect(status["scope"] as? String == "BrainDriveChat")
        // installed hands out the same URL within the window, and a later call in it too.
        clock.seconds.store(Self.start + 1, ordering: .relaxed)
        let installed = try #require(f.send("GET", "/api/plugins/installed", user: "user1").data?["installed_plugins"] as? [[String: Any]])
        #expect(installed.first?["bundle_url"] as? String == url)
        #expect(installed.first?["scope"] as? String == "BrainDriveChat")

        let answer = Self.get(f, url)
        #expect(answer.status == 200 && answer.body.isEmpty)
        #expect(answer.header("X-Accel-Redirect") == "/_plugin_files/user1/braindrive_chat/dist/remoteEntry.js")
        #expect(answer.header("Content-Type") == "text/javascript")
        // The URL names the content (h=): cacheable until the grant expires.
        #expect(answer.header("Cache-Control") == "private, max-age=\(expiresAt - Self.start - 1), immutable")
        // A chunk beside the entry: covered by the grant's folder, but not named by h= (revalidated).
        let chunk = Self.get(f, url.replacingOccurrences(of: "remoteEntry.js", with: "chunk-1.js"))
        #expect(chunk.header("X-Accel-Redirect") == "/_plugin_files/user1/braindrive_chat/dist/chunk-1.js")
        #expect(chunk.header("Cache-Control") == "private, no-cache")
        // Another h= than the file's: revalidated too; the ETag still answers 304.
        let tag = try #require(answer.header("ETag"))
        #expect(Self.get(f, String(url.prefix { $0 != "?" }) + "?h=0000000000000000").header("Cache-Control") == "private, no-cache")
        #expect(Self.get(f, url, ifNoneMatch: tag).status == 304)
        // The grant's own user may send a token too.
        #expect(Self.get(f, url, user: "user1").status == 200)
    }

    @Test func alteredOrBorrowedURLsAreRefused() throws {
        let clock = Clock()
        let f = try Self.fixture(clock); defer { f.remove() }
        let url = try Self.bundleURL(f, "user1")
        let other = try Self.bundleURL(f, "user2")
        #expect(url != other)
        let cases: [(String, String)] = [
            ("another user's id in the grant", url.replacingOccurrences(of: "/bundles/user1~", with: "/bundles/user2~")),
            ("a later expiry", url.replacingOccurrences(of: "~\(BundleSigner.expiry(now: Self.start, ttl: Self.ttl))~",
                                                          with: "~\(BundleSigner.expiry(now: Self.start, ttl: Self.ttl) + 300)~")),
            ("another version", url.replacingOccurrences(of: "~1.0.0~", with: "~1.0.1~")),
            ("a file outside the grant's folder", url.replacingOccurrences(of: "dist/remoteEntry.js", with: "plugin.json")),
            ("another plugin", url.replacingOccurrences(of: "/braindrive_chat/", with: "/braindrive_network/")),
            ("user2's grant for user1's file", other.replacingOccurrences(of: "/bundles/user2~", with: "/bundles/user1~")),
            ("garbage", "/api/plugins/braindrive_chat/bundles/x/dist/remoteEntry.js"),
            ("a changed MAC character", Self.flipFirstMACCharacter(url)),
        ]
        for (label, altered) in cases {
            #expect(altered != url, "\(label) left the URL as it was")
            expectRefused(Self.get(f, altered), 403, "invalid_signature", label)
        }
        // user1's URL with user2's token: the token names the caller, and it is not the grant's user.
        expectRefused(Self.get(f, url, user: "user2"), 403, "invalid_signature", "user1's URL, user2's token")
        // A bad token is refused as a token, whatever the URL.
        expectRefused(Self.get(f, url, authorization: "Bearer not.a.token"), 401, "invalid_token", "bad token")
        // Each user's own URL still works.
        #expect(Self.get(f, url).header("X-Accel-Redirect")?.hasPrefix("/_plugin_files/user1/") == true)
        #expect(Self.get(f, other).header("X-Accel-Redirect")?.hasPrefix("/_plugin_files/user2/") == true)
    }

    /// The MAC's first character changed (the last one carries padding bits a decoder may ignore).
    static func flipFirstMACCharacter(_ url: String) -> String {
        var characters = Array(url)
        let macStart = characters.lastIndex(of: "~")! + 1
        characters[macStart] = characters[macStart] == "A" ? "B" : "A"
        return String(characters)
    }

    @Test func anExpiredURLIsRefusedAsExpired() throws {
        let clock = Clock()
        let f = try Self.fixture(clock); defer { f.remove() }
        let url = try Self.bundleURL(f, "user1")
        let expiresAt = BundleSigner.expiry(now: Self.start, ttl: Self.ttl)
        clock.seconds.store(expiresAt - 1, ordering: .relaxed)
        #expect(Self.get(f, url).status == 200)
        clock.seconds.store(expiresAt, ordering: .relaxed)
        expectRefused(Self.get(f, url), 403, "expired_signature", "at its expiry")
        // An altered URL stays invalid, not expired: the MAC is checked first.
        expectRefused(Self.get(f, url.replacingOccurrences(of: "/bundles/user1~", with: "/bundles/user2~")), 403,
                      "invalid_signature", "altered and expired")
        // A new one is handed out.
        let fresh = try Self.bundleURL(f, "user1")
        #expect(fresh != url && Self.get(f, fresh).status == 200)
    }

    @Test func anUpdateOrADisableEndsTheOldURL() throws {
        let clock = Clock()
        let f = try Self.fixture(clock); defer { f.remove() }
        #expect(f.send("POST", "/api/plugins/braindrive-network/install", user: "user1", body: #"{"version":"1.0.0"}"#).status == 201)
        let old = try Self.bundleURL(f, "user1", "braindrive-network")
        #expect(Self.get(f, old).status == 200)
        #expect(f.send("PUT", "/api/plugins/braindrive-network/update", user: "user1").status == 200)
        expectRefused(Self.get(f, old), 403, "invalid_signature", "1.0.0's URL after the update to 1.1.0")
        let new = try Self.bundleURL(f, "user1", "braindrive-network")
        #expect(new.contains("~1.1.0~") && Self.get(f, new).status == 200)

        #expect(f.send("POST", "/api/plugins/braindrive-network/disable", user: "user1").status == 200)
        expectRefused(Self.get(f, new), 403, "plugin_disabled", "a disabled plugin's URL")
        let status = try #require(f.send("GET", "/api/plugins/braindrive-network/status", user: "user1").data)
        #expect(status["bundle_url"] == nil && status["scope"] == nil, "a disabled plugin gets no URL")
        let installed = try #require(f.send("GET", "/api/plugins/installed", user: "user1").data?["installed_plugins"] as? [[String: Any]])
        #expect(installed.map { $0["bundle_url"] != nil } == [true, false], "chat has one, disabled network none")
    }

    @Test func withoutASecretNoURLsAndNoGrants() throws {
        let signed = try Self.fixture(Clock()); defer { signed.remove() }
        let url = try Self.bundleURL(signed, "user1")
        let f = try Self.fixture(nil); defer { f.remove() }
        let status = try #require(f.send("GET", "/api/plugins/braindrive-chat/status", user: "user1").data)
        #expect(status["bundle_url"] == nil && status["bundle_url_expires_at"] == nil && status["scope"] == nil)
        expectRefused(Self.get(f, url), 403, "invalid_signature", "a grant where no secret is set")
    }

    @Test func infoWithATokenCarriesTheCallersURL() throws {
        let f = try Self.fixture(Clock()); defer { f.remove() }
        let url = try Self.bundleURL(f, "user1")
        let mine = try #require(f.send("GET", "/api/plugins/braindrive-chat/info", user: "user1").data)
        #expect(mine["bundle_url"] as? String == url && mine["scope"] as? String == "BrainDriveChat")
        #expect(mine["plugin_info"] != nil)
        // Anonymous, or a user without the plugin: the catalog entry alone.
        for user in [nil, "user3"] as [String?] {
            let data = try #require(f.send("GET", "/api/plugins/braindrive-chat/info", user: user).data)
            #expect(data["bundle_url"] == nil && data["scope"] == nil && data["plugin_info"] != nil, "\(user ?? "anonymous")")
        }
        #expect(f.send("POST", "/api/plugins/braindrive-chat/disable", user: "user1").status == 200)
        #expect(f.send("GET", "/api/plugins/braindrive-chat/info", user: "user1").data?["bundle_url"] == nil)
    }
}
