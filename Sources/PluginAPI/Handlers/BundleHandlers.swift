import Glibc
import LifecycleCore
import PluginCatalog
import Synchronization
import Telemetry
import TokenAuth

/// What the API needs to hand out and check signed bundle URLs: the signer (keyed by the
/// data directory's bundle-secret, never the JWT secret), how long a URL lives, and the clock.
package struct BundleLinks: Sendable {
    let signer: BundleSigner
    let ttl: Int
    let now: @Sendable () -> Int
    /// Links already made in the current window (status and installed hand the same ones out).
    let made = BundleLinkCache()

    package init(signer: BundleSigner, ttl: Int, now: @escaping @Sendable () -> Int = { Int(time(nil)) }) {
        self.signer = signer; self.ttl = ttl; self.now = now
    }
}

/// A signed URL of a user's bundle, as `status` and `installed` hand it out.
struct BundleLink: Sendable, Equatable {
    let url: String
    let expiresAt: Int
    /// `expiresAt` in RFC 3339 (`bundle_url_expires_at`).
    let expiresText: String

    init(url: String, expiresAt: Int) {
        self.url = url
        self.expiresAt = expiresAt
        expiresText = String(decoding: LogTime.bytes(seconds: expiresAt, milliseconds: 0), as: UTF8.self)
    }
}

/// The links made in the current window, by what they sign: within a window a link is the same
/// for the same copy, and making one (an HMAC, base64, the URL, the expiry's text) cost `status`
/// a sixth of its instructions. Bounded: emptied when full.
final class BundleLinkCache: Sendable {
    struct Key: Hashable {
        let user: String, slug: String, version: String, location: String, sha256: String?
    }
    static let capacity = 4_096
    private let links = Mutex<[Key: BundleLink]>([:])

    /// The link for `key` expiring at `expiresAt`, made by `make` unless one is already cached.
    func link(_ key: Key, expiresAt: Int, make: () -> BundleLink?) -> BundleLink? {
        if let cached = links.withLock({ $0[key] }), cached.expiresAt == expiresAt { return cached }
        guard let made = make() else { return nil }
        links.withLock { links in
            if links.count >= Self.capacity { links.removeAll(keepingCapacity: true) }
            links[key] = made
        }
        return made
    }
}

/// Signed bundle URLs: a `<script>` tag sends no Authorization header, so the URL itself carries
/// a grant (user, slug, version, folder, expiry; HMAC-SHA256) in a path segment. A path segment,
/// not a query: webpack derives a container's chunk URLs from its script's URL without the query,
/// so chunks beside `remoteEntry.js` keep the grant. docs/api.md, "Signed bundle URLs".
extension PluginAPI {
    /// The signed URL of `bundleLocation` in `user`'s copy of `slug` at `version`; nil without a
    /// signer or for a location or version that cannot be signed. `sha256`, the entry file's
    /// recorded hash, goes in as `?h=` (its first 16 hex digits): a URL naming the content may be
    /// cached as immutable.
    func bundleLink(user: UserID, slug: String, version: String, bundleLocation: String, sha256: String?) -> BundleLink? {
        guard let links = bundleLinks else { return nil }
        let expiresAt = BundleSigner.expiry(now: links.now(), ttl: links.ttl)
        let key = BundleLinkCache.Key(user: user.value, slug: slug, version: version, location: bundleLocation, sha256: sha256)
        return links.made.link(key, expiresAt: expiresAt) {
            // The grant covers the entry file's folder: its chunks and assets sit beside it. A
            // location no file can have makes a URL the route refuses (400), never a wider grant.
            let prefix = bundleLocation.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(bundleLocation[...$0]) } ?? ""
            let grant = BundleGrant(user: user.value, slug: slug, version: version, prefix: prefix, expiresAt: expiresAt)
            guard let segment = links.signer.grantSegment(for: grant) else { return nil }
            var url = "/api/plugins/" + slug + "/bundles/" + segment + "/" + Self.redirectEncoded(bundleLocation)
            if let sha256, sha256.utf8.count >= Self.contentHashDigits {
                url += "?h=" + sha256.prefix(Self.contentHashDigits)
            }
            return BundleLink(url: url, expiresAt: expiresAt)
        }
    }

    /// The link of an enabled copy's bundle, for `status` and `installed`.
    func bundleLink(_ user: UserID, _ slug: String, _ version: String?, _ bundle: BundleEntry?) -> BundleLink? {
        guard let version, let bundle else { return nil }
        return bundleLink(user: user, slug: slug, version: version, bundleLocation: bundle.location, sha256: bundle.sha256)
    }

    /// The link and scope of `user`'s enabled copy of `slug` (nil when not installed, disabled or
    /// without an entry), from its rows alone; for `info`.
    func installedBundleLink(_ user: UserID, _ slug: PluginSlug) throws -> (link: BundleLink, scope: String)? {
        guard bundleLinks != nil, let copy = try service.enabledBundle(user: user, slug: slug),
              let link = bundleLink(user, slug.value, copy.version, copy.entry) else { return nil }
        return (link, copy.entry.scope)
    }

    /// Hex digits of the recorded SHA-256 a URL's `?h=` names (64 bits: no accidental match).
    static let contentHashDigits = 16

    /// The grant of a signed route's request, checked: the MAC (constant time) before the expiry,
    /// the requested file under the grant's folder, and a token, when one is sent too, of the
    /// grant's own user. The version is checked against the installed copy by the handler.
    func verifiedGrant(_ parameters: RouteParameters, token: Caller?) throws -> SignedCaller {
        guard let links = bundleLinks else { throw GrantFailure.invalid(reason: "no bundle secret configured") }
        let slug = try LifecycleService.slug(parameters.value("slug") ?? "")
        let path = try Self.decodedFilePath(parameters.value("path") ?? "")
        let now = links.now()
        let grant = try links.signer.verify(segment: parameters.value("grant") ?? "", slug: slug.value, path: path, now: now)
        if let token, token.user.value != grant.user {
            throw GrantFailure.invalid(reason: "the token sent is another user's than the grant's")
        }
        return SignedCaller(caller: try Caller(grant: grant), grant: grant, slug: slug, path: path, checkedAt: now)
    }

    /// GET /api/plugins/{slug}/bundles/{grant}/{path}: the file route's answer for the grant's user,
    /// only while the grant's version is the installed one; cacheable until the grant expires when
    /// `?h=` names the file's recorded content.
    func bundleFile(_ call: Call<SignedCaller>) throws -> HTTPResponse {
        let grant = call.caller.grant
        let hint = call.request.query["h"].flatMap { $0.utf8.count == Self.contentHashDigits ? $0 : nil } ?? ""
        return try fileAnswer(user: call.caller.caller.user, slug: call.caller.slug, path: call.caller.path,
                              ifNoneMatch: call.request.ifNoneMatch,
                              cachePolicy: .immutable(maxAge: grant.expiresAt - call.caller.checkedAt, contentHash: hint),
                              version: grant.version)
    }
}
