import Glibc
import LifecycleCore
import PluginCatalog
import TokenAuth

/// What the API needs to hand out and check signed bundle URLs: the signer (keyed by the
/// data directory's bundle-secret, never the JWT secret), how long a URL lives, and the clock.
package struct BundleLinks: Sendable {
    let signer: BundleSigner
    let ttl: Int
    let now: @Sendable () -> Int

    package init(signer: BundleSigner, ttl: Int, now: @escaping @Sendable () -> Int = { Int(time(nil)) }) {
        self.signer = signer; self.ttl = ttl; self.now = now
    }
}

/// A signed URL of a user's bundle, as `status` and `installed` hand it out.
struct BundleLink: Sendable, Equatable {
    let url: String
    let expiresAt: Int
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
        guard let links = bundleLinks, let location = try? LifecycleService.servedPath(bundleLocation) else { return nil }
        // The grant covers the entry file's folder: its chunks and assets sit beside it.
        let prefix = location.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(location[...$0]) } ?? ""
        let expiresAt = BundleSigner.expiry(now: links.now(), ttl: links.ttl)
        let grant = BundleGrant(user: user.value, slug: slug, version: version, prefix: prefix, expiresAt: expiresAt)
        guard let segment = links.signer.grantSegment(for: grant) else { return nil }
        var url = "/api/plugins/" + slug + "/bundles/" + segment + "/" + Self.redirectEncoded(location)
        if let sha256, sha256.utf8.count >= Self.contentHashDigits {
            url += "?h=" + sha256.prefix(Self.contentHashDigits)
        }
        return BundleLink(url: url, expiresAt: expiresAt)
    }

    /// The link of an enabled copy's bundle, for `status` and `installed`.
    func bundleLink(_ user: UserID, _ slug: String, _ version: String?, _ bundle: BundleEntry?) -> BundleLink? {
        guard let version, let bundle else { return nil }
        return bundleLink(user: user, slug: slug, version: version, bundleLocation: bundle.location, sha256: bundle.sha256)
    }

    /// The link and scope of `user`'s enabled copy of `slug` (nil when not installed, disabled or
    /// without an entry), from a status read of its rows and file sizes; for `info`.
    func installedBundleLink(_ user: UserID, _ slug: PluginSlug) throws -> (link: BundleLink, scope: String)? {
        guard bundleLinks != nil else { return nil }
        let report = try service.status(user: user, slug: slug, verify: .sizes)
        guard report.enabled == true, let bundle = report.bundle,
              let link = bundleLink(user, report.pluginSlug, report.version, bundle) else { return nil }
        return (link, bundle.scope)
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
        return SignedCaller(caller: try Caller(grant: grant), grant: grant, checkedAt: now)
    }

    /// GET /api/plugins/{slug}/bundles/{grant}/{path}: the file route's answer for the grant's user,
    /// only while the grant's version is the installed one; cacheable until the grant expires when
    /// `?h=` names the file's recorded content.
    func bundleFile(_ call: Call<SignedCaller>) throws -> HTTPResponse {
        let grant = call.caller.grant
        let hint = call.request.query["h"].flatMap { $0.utf8.count == Self.contentHashDigits ? $0 : nil } ?? ""
        return try fileAnswer(user: call.caller.caller.user, slug: try call.slug(), rawPath: try call.parameter("path"),
                              ifNoneMatch: call.request.ifNoneMatch,
                              cachePolicy: .immutable(maxAge: grant.expiresAt - call.caller.checkedAt, contentHash: hint),
                              version: grant.version)
    }
}
