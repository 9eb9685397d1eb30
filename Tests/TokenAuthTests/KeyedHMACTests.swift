import JWTKit
import Testing
@testable import TokenAuth

/// HS256 signatures are checked with an HMAC keyed once at start instead of jwt-kit's signer,
/// which keys on every call: the two must agree on every key length and every input.
@Suite(.timeLimit(.minutes(10))) struct KeyedHMACTests {
    @Test(arguments: [1, 16, 31, 32, 33, 64, 65, 200])
    func theKeyedHMACAgreesWithJWTKitsSigner(secretLength: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<secretLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let key = try SignatureKey.hmacSHA256(secret: secret)
        #expect(key.keyedHMAC != nil)
        for length in [0, 1, 63, 64, 65, 150, 1_000] {
            let input = ArraySlice((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let signature = try key.algorithm.sign(Array(input))
            #expect(try key.verify(signature, signs: input), "jwt-kit's signature must verify (key \(secretLength) B, input \(length) B)")
            #expect(try key.algorithm.verify(signature, signs: input))
            // Any changed byte, a shorter or a longer signature: refused by both.
            var flipped = signature
            flipped[Int.random(in: 0..<flipped.count, using: &generator)] ^= 0x01
            for wrong in [flipped, Array(signature.dropLast()), signature + [0], []] {
                #expect(try !key.verify(wrong, signs: input))
                #expect(try !key.algorithm.verify(wrong, signs: input))
            }
            if !input.isEmpty {
                var other = input
                other[other.startIndex] ^= 0x80
                #expect(try !key.verify(signature, signs: other))
            }
        }
    }

    @Test func publicKeysStillGoThroughJWTKit() throws {
        let key = try SignatureKey.publicKey(pem: TestTokens.rsaPrivateKey.publicKey.pemRepresentation)
        #expect(key.keyedHMAC == nil && key.algorithmName == "RS256")
    }
}
