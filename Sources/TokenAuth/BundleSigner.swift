import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials  // DataProtocol, which HMAC reads
#else
import Foundation
#endif

/// Writes and checks the grant segment of a signed bundle URL,
/// `GET /api/plugins/{slug}/bundles/{grant}/{path}`, keyed by the data directory's
/// `bundle-secret` (never the JWT secret: a URL leaked from a page must not help forge tokens,
/// and rotating one must not void the other).
///
/// The segment is `{user}~{version}~{exp}~{b64url(prefix)}~{b64url(mac)}`, at most 256 bytes, with
/// mac = HMAC-SHA256 over `"plugin-lifecycle/bundle/v1\n" user "\n" slug "\n" version "\n" prefix "\n" exp`.
/// `~` is outside every field's alphabet, and `\n` is refused in the two fields that are not
/// charset-limited (slug, prefix), so one message never reads as two field lists.
///
/// ```swift
/// let signer = BundleSigner(secret: bundleSecret)
/// let grant = BundleGrant(user: "u1", slug: "braindrive_chat", version: "1.0.0", prefix: "dist/",
///                         expiresAt: BundleSigner.expiry(now: now, ttl: 900))
/// let segment = signer.grantSegment(for: grant)!   // "u1~1.0.0~1733600100~ZGlzdC8~…"
/// let same = try signer.verify(segment: segment, slug: "braindrive_chat", path: "dist/remoteEntry.js", now: now)
/// ```
///
/// `verify` runs on every bundle request: bytes only, no Foundation, one HMAC from a pre-keyed state.
package struct BundleSigner: Sendable {
    /// Expiries are rounded up to a window, so a page asking again within it gets the same URL (it
    /// caches): 300 s, or the ttl when that is shorter (a URL then lives at most twice its ttl).
    package static let window = 300
    package static let maxSegmentBytes = 256
    private static let domain = Array("plugin-lifecycle/bundle/v1\n".utf8)
    private static let separator = UInt8(ascii: "~")
    /// base64url of a 32-byte MAC, unpadded.
    private static let macCharacters = 43

    /// HMAC's inner and outer states after the key: copied per call instead of re-keying.
    private let keyed: HMAC<SHA256>

    /// `secret` is used as given; its length and its difference from the JWT secret are
    /// ``SecretPolicy/validateBundleSecret(_:jwtSecret:)``'s to check, once at start-up.
    package init(secret: [UInt8]) {
        keyed = HMAC<SHA256>(key: SymmetricKey(data: secret))
    }

    /// The expiry of a grant made at `now` (Unix seconds): the end of the current window plus `ttl`.
    package static func expiry(now: Int, ttl: Int) -> Int {
        let window = Swift.min(Self.window, Swift.max(ttl, 1))
        let (quotient, remainder) = now.quotientAndRemainder(dividingBy: window)
        let floor = remainder < 0 ? quotient - 1 : quotient
        return (floor + 1) * window + ttl
    }

    /// The URL path segment for `grant`; nil when a field breaks its rule (see ``BundleGrant``:
    /// user `[A-Za-z0-9_]{1,64}`, version of SemVer's characters, prefix "" or ending in "/",
    /// no control characters, expiry not negative) or the segment would exceed 256 bytes (a very
    /// long version or prefix). The caller then hands out no URL.
    package func grantSegment(for grant: BundleGrant) -> String? {
        let user = Array(grant.user.utf8), version = Array(grant.version.utf8), prefix = Array(grant.prefix.utf8)
        let expiry = Array(String(grant.expiresAt).utf8)
        guard GrantFields.isUser(user), GrantFields.isVersion(version), GrantFields.isExpiry(expiry),
              GrantFields.isSlug(grant.slug.utf8), GrantFields.isPrefix(prefix) else { return nil }
        let mac = code(user: user, slug: grant.slug.utf8, version: version, prefix: prefix, expiry: expiry)
        var segment = user
        segment.reserveCapacity(Self.maxSegmentBytes)
        for field in [version, expiry, Array(Base64URL.encode(prefix).utf8), Array(Base64URL.encode(mac).utf8)] {
            segment.append(Self.separator)
            segment += field
        }
        guard segment.count <= Self.maxSegmentBytes else { return nil }
        return String(decoding: segment, as: UTF8.self)
    }

    /// The grant `segment` carries, when it is genuine, covers `path` (relative to the plugin's
    /// folder) of `slug` (from the URL), and has not expired at `now` (Unix seconds).
    ///
    /// Order: the shape and every field's characters, then the MAC (compared in constant time),
    /// then the path, and only then the expiry, so `.expired` is only ever said of a grant this
    /// signer made. The caller still compares ``BundleGrant/version`` with the installed version
    /// and ``BundleGrant/user`` with a token's user, if one was sent.
    package func verify(segment: String, slug: String, path: String, now: Int) throws(GrantFailure) -> BundleGrant {
        var text = segment
        let grant = text.withUTF8 { bytes in verify(bytes, slug: slug) }
        switch grant {
        case .failure(let failure): throw failure
        case .success(let grant):
            guard grant.covers(path: path) else { throw .invalid(reason: "the path lies outside the grant's prefix") }
            guard now < grant.expiresAt else { throw .expired }
            return grant
        }
    }

    private func verify(_ segment: UnsafeBufferPointer<UInt8>, slug: String) -> Result<BundleGrant, GrantFailure> {
        guard segment.count <= Self.maxSegmentBytes else { return .failure(.invalid(reason: "grant longer than 256 bytes")) }
        let fields = segment.split(separator: Self.separator, maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 5 else { return .failure(.invalid(reason: "grant without five fields")) }
        let user = fields[0], version = fields[1], expiry = fields[2]
        guard GrantFields.isUser(user), GrantFields.isVersion(version), GrantFields.isExpiry(expiry),
              GrantFields.isSlug(slug.utf8), fields[4].count == Self.macCharacters,
              let mac = Base64URL.decode(fields[4], canonical: true),
              let prefix = Base64URL.decode(fields[3], canonical: true), GrantFields.isPrefix(prefix),
              let prefixText = String(validating: prefix, as: UTF8.self)
        else { return .failure(.invalid(reason: "malformed grant")) }
        let expected = code(user: user, slug: slug.utf8, version: version, prefix: prefix, expiry: expiry)
        // MessageAuthenticationCode's == against bytes is swift-crypto's constant-time safeCompare.
        guard expected == mac else { return .failure(.invalid(reason: "the MAC does not match")) }
        var expiresAt = 0
        for digit in expiry { expiresAt = expiresAt * 10 + Int(digit - UInt8(ascii: "0")) }
        return .success(BundleGrant(
            user: String(decoding: user, as: UTF8.self), slug: slug, version: String(decoding: version, as: UTF8.self),
            prefix: prefixText, expiresAt: expiresAt))
    }

    private func code(
        user: some Collection<UInt8>, slug: String.UTF8View, version: some Collection<UInt8>,
        prefix: [UInt8], expiry: some Collection<UInt8>
    ) -> HashedAuthenticationCode<SHA256> {
        var message = Self.domain
        message.reserveCapacity(Self.domain.count + 5 + user.count + slug.count + version.count + prefix.count + expiry.count)
        message += user
        message.append(UInt8(ascii: "\n"))
        message += slug
        message.append(UInt8(ascii: "\n"))
        message += version
        message.append(UInt8(ascii: "\n"))
        message += prefix
        message.append(UInt8(ascii: "\n"))
        message += expiry
        var mac = keyed
        mac.update(data: message)
        return mac.finalize()
    }
}

/// Each field's rule, shared by signing and checking.
private enum GrantFields {
    static func isUser(_ bytes: some Collection<UInt8>) -> Bool {
        (1...64).contains(bytes.count) && bytes.allSatisfy(Identity.isUserIDByte)
    }

    /// SemVer 2.0.0's characters (`0-9 A-Z a-z . + -`); the catalog parses versions, this only
    /// keeps `~` and anything needing percent-encoding out of the segment.
    static func isVersion(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    /// Eleven digits reach the year 5138; more would only be a way to overflow Int.
    static let maxExpiryDigits = 11

    /// Decimal digits, no leading zero: one spelling per expiry.
    static func isExpiry(_ bytes: some Collection<UInt8>) -> Bool {
        guard let first = bytes.first, bytes.count <= maxExpiryDigits, first != UInt8(ascii: "0") || bytes.count == 1 else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    static func isSlug(_ bytes: String.UTF8View) -> Bool {
        !bytes.isEmpty && !bytes.contains(where: isControl)
    }

    /// "" or a folder ("…/"), without control characters.
    static func isPrefix(_ bytes: [UInt8]) -> Bool {
        (bytes.isEmpty || bytes.last == UInt8(ascii: "/")) && !bytes.contains(where: isControl)
    }

    private static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }
}
