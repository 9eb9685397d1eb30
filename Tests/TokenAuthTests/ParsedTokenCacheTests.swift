import Foundation
import Testing
@testable import TokenAuth

/// A token seen before skips only the decoding of its header and claims: its signature and its
/// claims are checked again on every request.
@Suite(.timeLimit(.minutes(10))) struct ParsedTokenCacheTests {
    typealias TT = TestTokens

    func fresh() throws -> TokenVerifier {
        try TokenVerifier(configuration: .init(key: .hmacSecret(TT.secret)))
    }

    func userID(_ result: Result<Identity, AuthFailure>) -> String? {
        if case .success(let identity) = result { return identity.userID }
        return nil
    }

    @Test func aSeenTokenIsStillVerifiedAndCheckedEveryTime() async throws {
        let verifier = try fresh()
        let token = try await TT.token(header: TT.header(alg: "HS256"), payload: TT.userPayload(), signing: .configuredSecret)
        #expect(userID(verifier.verify(authorizationHeader: "Bearer " + token, now: TT.now)) == "user123")
        #expect(userID(verifier.verify(authorizationHeader: "Bearer " + token, now: TT.now)) == "user123")

        // The same header and claims under another key's signature: refused although cached.
        let forged = try await TT.token(header: TT.header(alg: "HS256"), payload: TT.userPayload(),
                                        signing: .hmac(secret: TT.otherSecret, digest: .sha256))
        #expect(forged.split(separator: ".").prefix(2) == token.split(separator: ".").prefix(2))
        #expect(verifier.verify(authorizationHeader: "Bearer " + forged, now: TT.now) == .failure(.invalidToken(reason: "bad signature")))

        // Its expiry is checked against the clock of each request.
        #expect(verifier.verify(authorizationHeader: "Bearer " + token, now: TT.now.addingTimeInterval(7200)) == .failure(.expiredToken))
        #expect(userID(verifier.verify(authorizationHeader: "Bearer " + token, now: TT.now)) == "user123")
    }

    @Test func onlyVerifiedTokensAreKept() async throws {
        let verifier = try fresh()
        let forged = try await TT.token(header: TT.header(alg: "HS256"), payload: TT.userPayload(),
                                        signing: .hmac(secret: TT.otherSecret, digest: .sha256))
        for _ in 0..<3 { #expect(userID(verifier.verify(authorizationHeader: "Bearer " + forged, now: TT.now)) == nil) }
        let cache = Mirror(reflecting: verifier).children.first { $0.label == "parsed" }?.value as? ParsedTokenCache
        #expect(cache?.count == 0)
        let token = try await TT.token(header: TT.header(alg: "HS256"), payload: TT.userPayload(), signing: .configuredSecret)
        #expect(userID(verifier.verify(authorizationHeader: "Bearer " + token, now: TT.now)) == "user123")
        #expect(cache?.count == 1)
    }

    /// Another spelling of the same signature bytes (unused low bits set) is refused, cached or not.
    @Test func aSignatureHasOneSpelling() async throws {
        let verifier = try fresh()
        let token = try await TT.token(header: TT.header(alg: "HS256"), payload: TT.userPayload(), signing: .configuredSecret)
        // 32 signature bytes are 43 characters: the last carries 2 unused bits.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = token.last!
        let value = alphabet.firstIndex(of: last)!
        #expect(value & 0b11 == 0)
        let respelled = String(token.dropLast()) + String(alphabet[value | 0b01])
        for _ in 0..<2 {
            #expect(verifier.verify(authorizationHeader: "Bearer " + respelled, now: TT.now)
                    == .failure(.invalidToken(reason: "malformed token: the signature is not canonical base64url")))
            #expect(userID(verifier.verify(authorizationHeader: "Bearer " + token, now: TT.now)) == "user123")
        }
    }

    @Test func theCacheIsBounded() {
        let cache = ParsedTokenCache(capacity: 3)
        let claims = TokenClaims(sub: "u")
        for index in 0..<10 { cache.store(claims, signedBy: Array("input\(index)".utf8)[...]) }
        #expect(cache.count <= 3)
        #expect(cache.claims(signedBy: Array("input9".utf8)[...]) == claims)
        #expect(cache.claims(signedBy: Array("input0".utf8)[...]) == nil)
    }
}
