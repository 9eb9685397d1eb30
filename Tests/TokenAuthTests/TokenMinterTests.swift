import Foundation
import Testing
import TokenAuth

@Suite("TokenMinter", .timeLimit(.minutes(10)))
struct TokenMinterTests {
    @Test("a minted user token verifies as that user")
    func userToken() throws {
        let token = try TokenMinter.mint(userID: "user123", secret: TestTokens.secret)
        #expect(Verifiers.hs256.verify(authorizationHeader: "Bearer \(token)") == .success(Identity(userID: "user123", isAdmin: false)))
    }

    @Test("a minted admin token verifies as admin")
    func adminToken() throws {
        let token = try TokenMinter.mint(userID: "user123", admin: true, secret: TestTokens.secret)
        #expect(Verifiers.hs256.verify(authorizationHeader: "Bearer \(token)") == .success(Identity(userID: "user123", isAdmin: true)))
    }

    @Test("exp is now + ttl: expired once ttl + leeway have passed")
    func ttl() throws {
        let token = try TokenMinter.mint(userID: "u1", ttl: 100, secret: TestTokens.secret, extraClaims: nil, now: TestTokens.now)
        let header = "Bearer \(token)"
        #expect(Outcome(Verifiers.hs256.verify(authorizationHeader: header, now: TestTokens.now.addingTimeInterval(159))) == .user("u1"))
        #expect(Outcome(Verifiers.hs256.verify(authorizationHeader: header, now: TestTokens.now.addingTimeInterval(160))) == .expired)
    }

    @Test("extra claims are added and replace standard ones")
    func extraClaims() throws {
        let refresh = try TokenMinter.mint(userID: "u1", secret: TestTokens.secret, extraClaims: ["type": "refresh"])
        #expect(Outcome(Verifiers.hs256.verify(authorizationHeader: "Bearer \(refresh)")) == .invalid)
        let roles = try TokenMinter.mint(userID: "u1", secret: TestTokens.secret, extraClaims: ["roles": ["admin"], "n": 3, "x": 1.5])
        #expect(Outcome(Verifiers.hs256.verify(authorizationHeader: "Bearer \(roles)")) == .admin("u1"))
        let renamed = try TokenMinter.mint(userID: "u1", secret: TestTokens.secret, extraClaims: ["sub": "u2"])
        #expect(Outcome(Verifiers.hs256.verify(authorizationHeader: "Bearer \(renamed)")) == .user("u2"))
    }

    @Test("a token minted with another secret is refused")
    func otherSecret() throws {
        let token = try TokenMinter.mint(userID: "u1", secret: TestTokens.otherSecret)
        #expect(Outcome(Verifiers.hs256.verify(authorizationHeader: "Bearer \(token)")) == .invalid)
    }

    @Test("an unsupported extra claim value is refused")
    func unsupportedClaim() {
        #expect(throws: TokenAuthSetupError.self) {
            try TokenMinter.mint(userID: "u1", secret: TestTokens.secret, extraClaims: ["when": Date()])
        }
    }

    @Test("a non-finite or absurd ttl is refused instead of trapping")
    func absurdTTL() {
        #expect(throws: TokenAuthSetupError.self) { try TokenMinter.mint(userID: "u1", ttl: .infinity, secret: TestTokens.secret) }
        #expect(throws: TokenAuthSetupError.self) { try TokenMinter.mint(userID: "u1", ttl: 1e30, secret: TestTokens.secret) }
    }
}
