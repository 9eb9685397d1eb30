import Foundation
import Testing
import TokenAuth

/// Rough cost per verify, printed for the record; timings are not asserted (shared CI cores).
@Suite("TokenVerifier throughput")
struct TokenVerifierThroughputTests {
    @Test("µs per verify for each key kind")
    func measure() async throws {
        let payload = TestTokens.userPayload(#""is_admin":true"#)
        let kinds: [(String, VerifierKind, TestTokens.Signing, Int)] = [
            ("HS256", .hs256, .configuredSecret, 10_000),
            ("RS256", .rs256, .rs256, 2_000),
            ("ES256", .es256, .es256, 2_000),
            ("EdDSA", .eddsa, .eddsa, 2_000),
        ]
        for (alg, kind, signing, iterations) in kinds {
            let token = try await TestTokens.token(header: TestTokens.header(alg: alg), payload: payload, signing: signing)
            let header = "Bearer \(token)"
            let verifier = kind.verifier
            var accepted = 0
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                for _ in 0..<iterations {
                    if case .success = verifier.verify(authorizationHeader: header, now: TestTokens.now) { accepted += 1 }
                }
            }
            #expect(accepted == iterations)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("TokenVerifier \(alg): \(String(format: "%.1f", seconds / Double(iterations) * 1e6)) µs/verify over \(iterations)")
        }
    }
}
