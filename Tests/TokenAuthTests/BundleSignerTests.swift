import Foundation
import Testing
import TokenAuth

/// The grant segment of signed bundle URLs: what verifies, and every way a changed one is refused.
@Suite(.timeLimit(.minutes(10))) struct BundleSignerTests {
    static let secret = Array("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".utf8)
    let signer = BundleSigner(secret: Self.secret)
    let now = 1_733_600_000
    var grant: BundleGrant {
        BundleGrant(user: "user_A1", slug: "braindrive_chat", version: "1.0.0", prefix: "dist/",
                    expiresAt: BundleSigner.expiry(now: now, ttl: 900))
    }

    func segment(_ grant: BundleGrant) throws -> String { try #require(signer.grantSegment(for: grant)) }

    func fields(_ segment: String) -> [String] { segment.split(separator: "~", omittingEmptySubsequences: false).map(String.init) }

    func joined(_ fields: [String]) -> String { fields.joined(separator: "~") }

    /// The failure `verify` throws, or nil when it accepts.
    func failure(_ segment: String, slug: String = "braindrive_chat", path: String = "dist/remoteEntry.js",
                 now: Int? = nil, signer: BundleSigner? = nil) -> GrantFailure? {
        do {
            _ = try (signer ?? self.signer).verify(segment: segment, slug: slug, path: path, now: now ?? self.now)
            return nil
        } catch {
            return error
        }
    }

    func isInvalid(_ failure: GrantFailure?) -> Bool {
        if case .invalid = failure { true } else { false }
    }

    @Test func aSignedGrantVerifiesAndReadsBack() throws {
        let text = try segment(grant)
        #expect(try signer.verify(segment: text, slug: "braindrive_chat", path: "dist/remoteEntry.js", now: now) == grant)
        #expect(fields(text).count == 5 && fields(text)[0] == "user_A1" && fields(text)[1] == "1.0.0")
        #expect(fields(text)[2] == String(grant.expiresAt) && fields(text)[3] == "ZGlzdC8")
        // A prerelease version with build metadata, and an empty prefix that covers every path.
        let other = BundleGrant(user: "u", slug: "s", version: "2.0.0-rc.1+build.7", prefix: "", expiresAt: now + 60)
        #expect(try signer.verify(segment: segment(other), slug: "s", path: "a/b/c.css", now: now) == other)
    }

    @Test func eachAlteredFieldIsInvalid() throws {
        let text = try segment(grant)
        let original = fields(text)
        let replacements: [(Int, String)] = [
            (0, "user_A2"), (0, "User_A1"), (1, "1.0.1"), (1, "1.0.0-x"),
            (2, String(grant.expiresAt + 300)), (2, String(grant.expiresAt - 1)),
            (3, "Lw"), (3, "ZGlzdC9h"), (3, ""),  // "/", "dist/a", ""
        ]
        for (index, value) in replacements {
            var altered = original
            altered[index] = value
            #expect(isInvalid(failure(joined(altered), path: "dist/a/x.js")), "field \(index) = \(value)")
        }
        #expect(isInvalid(failure(text, slug: "braindrive_network")), "the URL's slug is signed")
    }

    @Test func oneFlippedBitOfTheMACIsInvalid() throws {
        let text = try segment(grant)
        var original = fields(text)
        let mac = Array(original[4].utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        // Flip each of the six bits a character carries, in the first and the last character
        // (whose two low bits are unused and must stay zero: another spelling is refused too).
        for position in [0, mac.count - 1] {
            let value = alphabet.firstIndex(of: mac[position])!
            for bit in 0..<6 {
                var flipped = mac
                flipped[position] = alphabet[value ^ (1 << bit)]
                original[4] = String(decoding: flipped, as: UTF8.self)
                #expect(isInvalid(failure(joined(original))), "character \(position), bit \(bit)")
            }
        }
    }

    @Test func truncatedSegmentsAreInvalid() throws {
        let text = try segment(grant)
        for length in 0..<text.utf8.count {
            let prefix = String(decoding: Array(text.utf8)[..<length], as: UTF8.self)
            #expect(isInvalid(failure(prefix)), "first \(length) bytes")
        }
        #expect(isInvalid(failure(text + "~")) && isInvalid(failure(text + "A")) && isInvalid(failure("~" + text)))
    }

    @Test func wrongCharactersAreInvalidBeforeAnyMAC() throws {
        var original = fields(try segment(grant))
        let cases: [(Int, String)] = [
            (0, ""), (0, "user-A1"), (0, "user%41"), (0, "usér"), (0, String(repeating: "a", count: 65)),
            (1, ""), (1, "1.0.0/"), (1, "1.0.0 "), (1, "1.0.0\n"),
            (2, ""), (2, "-1"), (2, "0" + original[2]), (2, original[2] + "x"), (2, "123456789012"),
            (3, "ZGlzdC8="), (3, "ZGlzdC9"), (3, "ZGlz dC8"), (3, "ZGlzdA"),  // padded, non-canonical, a space, "dist" (no "/")
            (4, original[4] + "="), (4, String(original[4].dropLast())), (4, original[4] + "A"),
        ]
        for (index, value) in cases {
            var altered = original
            altered[index] = value
            #expect(isInvalid(failure(joined(altered))), "field \(index) = \(value.debugDescription)")
        }
        original.append("extra")
        #expect(isInvalid(failure(joined(original))), "six fields")
        #expect(isInvalid(failure(try segment(grant), slug: "braindrive\nchat")))
        #expect(isInvalid(failure(try segment(grant), slug: "")))
    }

    @Test func anExpiredGenuineGrantIsExpiredAndOnlyThen() throws {
        let text = try segment(grant)
        #expect(failure(text, now: grant.expiresAt - 1) == nil)
        #expect(failure(text, now: grant.expiresAt) == .expired)
        #expect(failure(text, now: grant.expiresAt + 86_400) == .expired)
        // Expired and altered: the MAC is looked at first, so it is invalid, not expired.
        var altered = fields(text)
        altered[0] = "user_A2"
        #expect(isInvalid(failure(joined(altered), now: grant.expiresAt + 1)))
    }

    @Test func aFarFutureExpiryWithAForgedMACIsInvalid() throws {
        var forged = fields(try segment(grant))
        forged[2] = "99999999999"
        #expect(isInvalid(failure(joined(forged))))
        // The same fields signed by another key are just as forged.
        let attacker = BundleSigner(secret: Array(repeating: UInt8(ascii: "x"), count: 64))
        let attackerGrant = BundleGrant(user: "user_A1", slug: "braindrive_chat", version: "1.0.0", prefix: "", expiresAt: 99_999_999_999)
        #expect(isInvalid(failure(try #require(attacker.grantSegment(for: attackerGrant)))))
    }

    @Test func anotherUsersMACDoesNotFitThisUsersURL() throws {
        let mine = fields(try segment(grant))
        let theirs = fields(try segment(BundleGrant(user: "user_B2", slug: grant.slug, version: grant.version,
                                                    prefix: grant.prefix, expiresAt: grant.expiresAt)))
        #expect(failure(joined(theirs)) == nil, "B's own grant verifies, and names B")
        #expect(isInvalid(failure(joined([mine[0]] + theirs.dropFirst()))), "B's MAC under A's name")
        #expect(isInvalid(failure(joined([theirs[0]] + mine.dropFirst()))), "A's MAC under B's name")
    }

    @Test func theJWTSecretAsKeyDoesNotVerify() throws {
        let jwtSigner = BundleSigner(secret: Array("another-32-byte-or-longer-jwt-secret-0000".utf8))
        let text = try #require(jwtSigner.grantSegment(for: grant))
        #expect(isInvalid(failure(text)))
        #expect(failure(text, signer: jwtSigner) == nil)
        #expect(throws: TokenAuthSetupError.bundleSecretIsJWTSecret) {
            try SecretPolicy.validateBundleSecret(Self.secret, jwtSecret: Self.secret)
        }
        #expect(throws: TokenAuthSetupError.bundleSecretTooShort(bytes: 31)) {
            try SecretPolicy.validateBundleSecret(Array(Self.secret.prefix(31)), jwtSecret: nil)
        }
        try SecretPolicy.validateBundleSecret(Self.secret, jwtSecret: nil)
    }

    @Test func aPathOutsideThePrefixIsInvalid() throws {
        let text = try segment(grant)
        #expect(failure(text, path: "dist/chunks/a.js") == nil)
        for path in ["package.json", "dist", "dist-secret.js", "Dist/a.js", "other/dist/a.js", ""] {
            #expect(isInvalid(failure(text, path: path)), "\(path)")
        }
    }

    @Test func theGrantNamesItsVersionAndAnotherVersionsGrantIsItsOwn() throws {
        let old = BundleGrant(user: grant.user, slug: grant.slug, version: "0.9.0", prefix: grant.prefix, expiresAt: grant.expiresAt)
        let verified = try signer.verify(segment: segment(old), slug: grant.slug, path: "dist/a.js", now: now)
        #expect(verified.version == "0.9.0", "the caller compares it with the installed version")
        var relabelled = fields(try segment(old))
        relabelled[1] = grant.version
        #expect(isInvalid(failure(joined(relabelled))))
    }

    @Test func segmentsStayWithin256Bytes() throws {
        let widest = BundleGrant(user: String(repeating: "u", count: 64), slug: grant.slug, version: "10.20.30-rc.1+build.2024",
                                 prefix: "assets/federation/", expiresAt: 99_999_999_999)
        let text = try segment(widest)
        #expect(text.utf8.count <= BundleSigner.maxSegmentBytes)
        #expect(failure(text, path: "assets/federation/remoteEntry.js") == nil)
        let tooLong = BundleGrant(user: "u", slug: "s", version: "1.0.0", prefix: String(repeating: "p", count: 150) + "/", expiresAt: now + 60)
        #expect(signer.grantSegment(for: tooLong) == nil)
        #expect(isInvalid(failure(String(repeating: "a", count: 257), slug: "s", path: "x")))
    }

    @Test func grantsThatBreakAFieldRuleAreNotSigned() {
        let bad = [
            BundleGrant(user: "a-b", slug: "s", version: "1.0.0", prefix: "", expiresAt: now),
            BundleGrant(user: "a", slug: "s", version: "1.0.0~x", prefix: "", expiresAt: now),
            BundleGrant(user: "a", slug: "s\nt", version: "1.0.0", prefix: "", expiresAt: now),
            BundleGrant(user: "a", slug: "s", version: "1.0.0", prefix: "dist", expiresAt: now),
            BundleGrant(user: "a", slug: "s", version: "1.0.0", prefix: "di\nst/", expiresAt: now),
            BundleGrant(user: "a", slug: "s", version: "1.0.0", prefix: "", expiresAt: -1),
        ]
        for grant in bad { #expect(signer.grantSegment(for: grant) == nil, "\(grant)") }
    }

    @Test func expiryIsTheEndOfTheWindowPlusTheTTL() {
        #expect(BundleSigner.expiry(now: 0, ttl: 900) == 1_200)
        #expect(BundleSigner.expiry(now: 299, ttl: 900) == 1_200)
        #expect(BundleSigner.expiry(now: 300, ttl: 900) == 1_500)
        // A ttl under 300 s is its own window: the URL lives between ttl and twice ttl.
        #expect(BundleSigner.expiry(now: 1_733_600_123, ttl: 60) == 1_733_600_160 + 60)
        #expect(BundleSigner.expiry(now: 1_733_600_123, ttl: 10) == 1_733_600_130 + 10)
        #expect(BundleSigner.expiry(now: -1, ttl: 0) == 0)
        // Every moment of a window gives one URL; the next window another.
        let start = 1_733_600_100
        let expiries = Set((start..<start + 300).map { BundleSigner.expiry(now: $0, ttl: 900) })
        #expect(expiries == [start + 300 + 900])
        #expect(BundleSigner.expiry(now: start + 300, ttl: 900) == start + 600 + 900)
    }

    @Test func createSecretMakesOneHexSecretOnceWithMode0600() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)").path
        defer { unlink(path) }
        #expect(try SecretPolicy.createSecret(path: path))
        let first = try SecretPolicy.readSecret(path: path)
        #expect(first.count == 64 && first.allSatisfy { Array("0123456789abcdef".utf8).contains($0) })
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o600)
        #expect(try !SecretPolicy.createSecret(path: path), "an existing secret is kept")
        #expect(try SecretPolicy.readSecret(path: path) == first)
    }
}
