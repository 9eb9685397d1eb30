import Foundation
import JWTKit
import Testing
import TokenAuth

@Suite("TokenVerifier setup", .timeLimit(.minutes(10)))
struct TokenVerifierSetupTests {
    @Test("the PEM's key kind decides the accepted algorithm")
    func detectsKeyKind() {
        #expect(Verifiers.hs256.acceptedAlgorithm == "HS256")
        #expect(Verifiers.rs256.acceptedAlgorithm == "RS256")
        #expect(Verifiers.es256.acceptedAlgorithm == "ES256")
        #expect(Verifiers.eddsa.acceptedAlgorithm == "EdDSA")
    }

    @Test("an empty secret is refused")
    func emptySecret() {
        #expect(throws: TokenAuthSetupError.emptySecret) { try TokenVerifier(configuration: .init(key: .hmacSecret([]))) }
    }

    @Test("a P-384 public key is unsupported")
    func p384() {
        #expect(throws: TokenAuthSetupError.unsupportedPublicKey) {
            try TokenVerifier(configuration: .init(key: .publicKeyPEM(TestKeyFixtures.p384PublicKeyPEM)))
        }
    }

    @Test("a private key PEM or garbage is not a public key")
    func notAPublicKey() {
        #expect(throws: TokenAuthSetupError.unsupportedPublicKey) {
            try TokenVerifier(configuration: .init(key: .publicKeyPEM(TestKeyFixtures.rsaPrivateKeyPEM)))
        }
        #expect(throws: TokenAuthSetupError.unsupportedPublicKey) {
            try TokenVerifier(configuration: .init(key: .publicKeyPEM("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")))
        }
    }

    @Test("a negative leeway is refused")
    func negativeLeeway() {
        #expect(throws: TokenAuthSetupError.self) {
            try TokenVerifier(configuration: .init(key: .hmacSecret(TestTokens.secret), leeway: -1))
        }
    }

    @Test("a short secret allowed on purpose (BrainDrive's default) still mints and verifies")
    func shortSecretAllowedInsecurely() throws {
        let secret = Array("your-secret-key-here".utf8)
        let verifier = try TokenVerifier(configuration: .init(key: .hmacSecret(secret)))
        let token = try TokenMinter.mint(userID: "dev", secret: secret)
        #expect(Outcome(verifier.verify(authorizationHeader: "Bearer \(token)")) == .user("dev"))
        let other = try TokenMinter.mint(userID: "dev", secret: Array("your-secret-key-herX".utf8))
        #expect(Outcome(verifier.verify(authorizationHeader: "Bearer \(other)")) == .invalid)
    }

    @Test("leeway 0 expires at exp")
    func zeroLeeway() throws {
        let verifier = try TokenVerifier(configuration: .init(key: .hmacSecret(TestTokens.secret), leeway: 0))
        let token = try TokenMinter.mint(userID: "u1", ttl: 10, secret: TestTokens.secret, extraClaims: nil, now: TestTokens.now)
        #expect(Outcome(verifier.verify(authorizationHeader: "Bearer \(token)", now: TestTokens.now.addingTimeInterval(9))) == .user("u1"))
        #expect(Outcome(verifier.verify(authorizationHeader: "Bearer \(token)", now: TestTokens.now.addingTimeInterval(10))) == .expired)
    }

    @Test("maxTokenBytes is applied to the token")
    func smallLimit() throws {
        let verifier = try TokenVerifier(configuration: .init(key: .hmacSecret(TestTokens.secret), maxTokenBytes: 100))
        let token = try TokenMinter.mint(userID: "u1", secret: TestTokens.secret)
        #expect(token.utf8.count > 100)
        #expect(Outcome(verifier.verify(authorizationHeader: "Bearer \(token)")) == .invalid)
    }

    @Test("verifiers built concurrently from async code do not starve the cooperative pool")
    func concurrentSetup() async throws {
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    let verifier = try TokenVerifier(configuration: .init(key: .hmacSecret(TestTokens.secret)))
                    return verifier.acceptedAlgorithm
                }
            }
            for try await name in group { #expect(name == "HS256") }
        }
    }

    @Test("verify is safe from many threads at once")
    func concurrentVerify() throws {
        let token = try TokenMinter.mint(userID: "u1", secret: TestTokens.secret)
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 2_000) { _ in
            if Outcome(Verifiers.hs256.verify(authorizationHeader: "Bearer \(token)")) != .user("u1") { failures.increment() }
        }
        #expect(failures.value == 0)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
