import Foundation
import JWTKit
import Testing
import TokenAuth

/// Hostile tokens, each refused with the contract's code: `invalid_token` for everything but a
/// genuinely expired token (API.md "Identity"). Built with the raw builders of TestTokens so a
/// header, payload or encoding can be anything an attacker can send.
struct JWTAttack: Sendable, CustomTestStringConvertible {
    let testDescription: String
    var expected: Outcome = .invalid
    var verifier: VerifierKind = .hs256
    var header: String = TestTokens.header(alg: "HS256")
    var payload: String = TestTokens.userPayload()
    var signing: TestTokens.Signing = .configuredSecret
    /// Signed with the attacker's own P-256 key instead of `signing`.
    var byAttackerES256 = false
    /// Changes the signed token before it is sent.
    var edit: @Sendable (String) -> String = { $0 }
}

/// The attacker's own keys: a token signed with one must never verify, whatever its header advertises.
enum AttackerKeys {
    static let secret = Array("attacker-secret-attacker-secret-0123".utf8)
    static let es256 = ES256PrivateKey()
    static var es256JWK: String {
        let params = es256.publicKey.parameters!
        return #""jwk":{"kty":"EC","crv":"P-256","x":"\#(params.x)","y":"\#(params.y)"}"#
    }
}

/// The same token with `transform` applied to one segment's text.
func editingSegment(_ index: Int, _ transform: @escaping @Sendable (String) -> String) -> @Sendable (String) -> String {
    { token in
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        parts[index] = transform(parts[index])
        return parts.joined(separator: ".")
    }
}

private typealias TT = TestTokens

let jwtAttacks: [JWTAttack] = [
    // alg none, any spelling, with or without a signature.
    .init(testDescription: "alg none, empty signature", header: TT.header(alg: "none"), signing: .unsigned),
    .init(testDescription: "alg None, empty signature", header: TT.header(alg: "None"), signing: .unsigned),
    .init(testDescription: "alg NONE, empty signature", header: TT.header(alg: "NONE"), signing: .unsigned),
    .init(testDescription: "alg nOnE, no signature segment at all", header: TT.header(alg: "nOnE"), signing: .unsigned,
          edit: { String($0.dropLast()) }),
    .init(testDescription: "alg none keeping a valid HS256 signature", header: TT.header(alg: "none")),
    .init(testDescription: "alg empty string", header: TT.header(alg: "")),
    .init(testDescription: "alg null", header: #"{"alg":null,"typ":"JWT"}"#),

    // Algorithm confusion: the key decides the algorithm, the header must agree.
    .init(testDescription: "HS384 header, HS384 MAC with the configured secret",
          header: TT.header(alg: "HS384"), signing: .configuredSecretHS384),
    .init(testDescription: "HS512 header, HS512 MAC with the configured secret",
          header: TT.header(alg: "HS512"), signing: .configuredSecretHS512),
    .init(testDescription: "RS256 header over an HS256 MAC", header: TT.header(alg: "RS256")),
    .init(testDescription: "ES256 header over an HS256 MAC", header: TT.header(alg: "ES256")),
    .init(testDescription: "lowercase hs256 header", header: TT.header(alg: "hs256")),
    .init(testDescription: "HS256 keyed with the RSA public key PEM against the RS256 key", verifier: .rs256,
          signing: .hmac(secret: Array(TT.rsaPrivateKey.publicKey.pemRepresentation.utf8), digest: .sha256)),
    .init(testDescription: "HS256 keyed with the P-256 public key PEM against the ES256 key", verifier: .es256,
          signing: .hmac(secret: Array(TT.es256PrivateKey.publicKey.pemRepresentation.utf8), digest: .sha256)),
    .init(testDescription: "HS256 keyed with the Ed25519 public key PEM against the EdDSA key", verifier: .eddsa,
          signing: .hmac(secret: Array(TT.eddsaPrivateKey.publicKey.pemRepresentation.utf8), digest: .sha256)),

    // Key-selecting headers are ignored: a token signed by the attacker's key fails.
    .init(testDescription: "jwk header with the attacker's P-256 key, signed by it", verifier: .es256,
          header: TT.header(alg: "ES256", extra: AttackerKeys.es256JWK), byAttackerES256: true),
    .init(testDescription: "jwk header with an attacker oct key, signed by it",
          header: TT.header(alg: "HS256", extra: #""jwk":{"kty":"oct","k":"\#(TT.base64URL(AttackerKeys.secret))"}"#),
          signing: .hmac(secret: AttackerKeys.secret, digest: .sha256)),
    .init(testDescription: "jku to the attacker's key set, signed by the attacker",
          header: TT.header(alg: "HS256", extra: #""jku":"https://attacker.example/jwks.json","kid":"k1""#),
          signing: .hmac(secret: AttackerKeys.secret, digest: .sha256)),
    .init(testDescription: "x5u to the attacker's certificate, signed by the attacker", verifier: .es256,
          header: TT.header(alg: "ES256", extra: #""x5u":"https://attacker.example/cert.pem""#), byAttackerES256: true),
    .init(testDescription: "kid path traversal to an empty file, signed with an empty-ish key",
          header: TT.header(alg: "HS256", extra: #""kid":"../../../../dev/null""#),
          signing: .hmac(secret: [UInt8](repeating: 0, count: 32), digest: .sha256)),
    .init(testDescription: "kid SQL injection, signed by the attacker",
          header: TT.header(alg: "HS256", extra: #""kid":"x' UNION SELECT 'attacker-secret"#),
          signing: .hmac(secret: AttackerKeys.secret, digest: .sha256)),

    // Size.
    .init(testDescription: "token over the 8 KiB cap (padding claim)",
          payload: TT.userPayload(#""pad":"\#(String(repeating: "A", count: 8200))""#)),
    .init(testDescription: "1 MiB token", payload: TT.userPayload(#""pad":"\#(String(repeating: "A", count: 1 << 20))""#)),

    // Encoding: only unpadded base64url in exactly three segments.
    .init(testDescription: "padding on the signature", edit: editingSegment(2) { $0 + "=" }),
    .init(testDescription: "double padding on the payload", edit: editingSegment(1) { $0 + "==" }),
    .init(testDescription: "standard alphabet in the signature",
          edit: editingSegment(2) { $0.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "+/" }),
    .init(testDescription: "space inside the payload", edit: editingSegment(1) { String($0.prefix(4)) + " " + $0.dropFirst(4) }),
    .init(testDescription: "newline inside the signature", edit: editingSegment(2) { String($0.prefix(4)) + "\n" + $0.dropFirst(4) }),
    .init(testDescription: "tab before the signature", edit: editingSegment(2) { "\t" + $0 }),
    .init(testDescription: "percent-encoded dot", edit: { $0.replacingOccurrences(of: ".", with: "%2E") }),
    .init(testDescription: "NUL byte appended", edit: { $0 + "\u{0}" }),
    .init(testDescription: "non-ASCII look-alike letter in the payload", edit: editingSegment(1) { "е" + $0.dropFirst() }),

    // Segments.
    .init(testDescription: "only dots", edit: { _ in ".." }),
    .init(testDescription: "empty header segment", edit: replacingSegment(0, with: "")),
    .init(testDescription: "empty payload segment", edit: replacingSegment(1, with: "")),
    .init(testDescription: "empty signature segment", edit: replacingSegment(2, with: "")),
    .init(testDescription: "four segments", edit: { $0 + ".AAAA" }),
    .init(testDescription: "five segments (JWE shape)", edit: { $0 + ".AAAA.BBBB" }),
    .init(testDescription: "one segment", edit: { String($0.prefix { $0 != "." }) }),
    .init(testDescription: "header that is not JSON", header: "not json at all"),
    .init(testDescription: "header that is a JSON array", header: #"["HS256"]"#),
    .init(testDescription: "header that is a JSON string", header: #""HS256""#),
    .init(testDescription: "header with alg as an object", header: #"{"alg":{"name":"HS256"},"typ":"JWT"}"#),

    // Duplicate claims: RFC 7519 §4 lets a parser refuse them; these are refused.
    .init(testDescription: "duplicate sub (victim last)", payload: TT.payload(TT.sub("user123"), TT.sub("victim"), TT.exp(3600))),
    .init(testDescription: "duplicate exp (valid first, expired last)", payload: TT.payload(TT.sub("user123"), TT.exp(3600), TT.exp(-3600))),
    .init(testDescription: "duplicate refresh (true first)",
          payload: TT.payload(TT.sub("user123"), TT.exp(3600), #""refresh":true"#, #""refresh":false"#)),
    .init(testDescription: "duplicate is_admin (false first, true last)",
          payload: TT.payload(TT.sub("user123"), TT.exp(3600), #""is_admin":false"#, #""is_admin":true"#)),
    .init(testDescription: "duplicate sub spelled with a JSON escape",
          payload: TT.payload(TT.sub("user123"), #""s\u0075b":"victim""#, TT.exp(3600))),

    .init(testDescription: "claim names reused inside a nested object are not duplicates", expected: .user("user123"),
          payload: TT.userPayload(#""ctx":{"sub":"victim","exp":1,"list":[{"sub":2}]}"#)),
    .init(testDescription: "duplicate alg in the header (HS256 then none)", header: #"{"alg":"HS256","alg":"none"}"#),

    // Claim types.
    .init(testDescription: "sub as a number", payload: TT.payload(#""sub":12345"#, TT.exp(3600))),
    .init(testDescription: "sub as an array", payload: TT.payload(#""sub":["user123"]"#, TT.exp(3600))),
    .init(testDescription: "sub as an object", payload: TT.payload(#""sub":{"id":"user123"}"#, TT.exp(3600))),
    .init(testDescription: "sub null", payload: TT.payload(#""sub":null"#, TT.exp(3600))),
    .init(testDescription: "sub with a NUL", payload: TT.payload(#""sub":"user123\u0000x""#, TT.exp(3600))),
    .init(testDescription: "sub ../../etc", payload: TT.payload(TT.sub("../../etc"), TT.exp(3600))),
    .init(testDescription: "exp as a string", payload: TT.payload(TT.sub("user123"), #""exp":"\#(TT.nowSeconds + 3600)""#)),
    .init(testDescription: "exp as a boolean", payload: TT.payload(TT.sub("user123"), #""exp":true"#)),
    .init(testDescription: "exp as an array", payload: TT.payload(TT.sub("user123"), #""exp":[\#(TT.nowSeconds + 3600)]"#)),
    .init(testDescription: "nbf an hour in the future", payload: TT.userPayload(TT.nbf(3600))),
    .init(testDescription: "iat in the far future", payload: TT.payload(TT.sub("user123"), TT.exp(3600), #""iat":99999999999"#)),
    .init(testDescription: "is_admin as a number", payload: TT.userPayload(#""is_admin":1"#)),

    // Refresh tokens are never access tokens, however they say so.
    .init(testDescription: "refresh true", payload: TT.userPayload(#""refresh":true"#)),
    .init(testDescription: "type refresh", payload: TT.userPayload(#""type":"refresh""#)),
    .init(testDescription: "token_type refresh", payload: TT.userPayload(#""token_type":"refresh""#)),
    .init(testDescription: "type Refresh (capitalised)", payload: TT.userPayload(#""type":"Refresh""#)),
    .init(testDescription: "token_type REFRESH", payload: TT.userPayload(#""token_type":"REFRESH""#)),
    .init(testDescription: "refresh as the string \"true\"", payload: TT.userPayload(#""refresh":"true""#)),

    // Huge numbers.
    .init(testDescription: "exp 1e400 (overflows a double)", payload: TT.payload(TT.sub("user123"), #""exp":1e400"#)),
    // The issuer signed it: a far future, no overflow anywhere.
    .init(testDescription: "exp beyond UInt64 is only a far future", expected: .user("user123"),
          payload: TT.payload(TT.sub("user123"), #""exp":184467440737095516160000"#)),
    .init(testDescription: "nbf 1e400", payload: TT.userPayload(#""nbf":1e400"#)),
    .init(testDescription: "iat 1e300", payload: TT.payload(TT.sub("user123"), TT.exp(3600), #""iat":1e300"#)),
    .init(testDescription: "exp -1e300 is expired", expected: .expired, payload: TT.payload(TT.sub("user123"), #""exp":-1e300"#)),
    .init(testDescription: "exp with 400 digits", payload: TT.payload(TT.sub("user123"), #""exp":\#(String(repeating: "9", count: 400))"#)),
]

@Suite("JWT attacks", .timeLimit(.minutes(10)))
struct JWTAttackTests {
    @Test(arguments: jwtAttacks)
    func refused(_ attack: JWTAttack) async throws {
        let token = attack.edit(try await Self.sign(attack))
        let result = attack.verifier.verifier.verify(authorizationHeader: "Bearer " + token, now: TestTokens.now)
        #expect(Outcome(result) == attack.expected, "\(result)")
    }

    /// The genuine token each attack starts from is accepted, so a refusal is the attack's doing.
    @Test func untamperedBaselineIsAccepted() async throws {
        let token = try await TestTokens.token(header: TT.header(alg: "HS256"), payload: TT.userPayload(), signing: .configuredSecret)
        #expect(Outcome(Verifiers.hs256.verify(authorizationHeader: "Bearer " + token, now: TestTokens.now)) == .user("user123"))
        let es = try await TestTokens.token(header: TT.header(alg: "ES256"), payload: TT.userPayload(), signing: .es256)
        #expect(Outcome(Verifiers.es256.verify(authorizationHeader: "Bearer " + es, now: TestTokens.now)) == .user("user123"))
    }

    /// An oversized header is refused before any decoding: the reason is the size limit, not
    /// whatever decoding 4 MiB would have found (its cost is the microbench's token.reject).
    @Test func oversizedTokensAreRefusedBeforeDecoding() {
        let huge = "Bearer " + String(repeating: "A", count: 4 << 20) + ".e30.AAAA"
        let result = Verifiers.hs256.verify(authorizationHeader: huge, now: TestTokens.now)
        guard case .failure(.invalidToken(let reason)) = result else { Issue.record("\(result)"); return }
        #expect(reason.contains("limit 8192"))
    }

    static func sign(_ attack: JWTAttack) async throws -> String {
        if attack.byAttackerES256 {
            // TestTokens only signs with the configured keys.
            let signingInput = TT.base64URL(Array(attack.header.utf8)) + "." + TT.base64URL(Array(attack.payload.utf8))
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: AttackerKeys.es256)
            let signature = try await keys.getKey().sign(Array(signingInput.utf8))
            return signingInput + "." + TT.base64URL(signature)
        }
        return try await TestTokens.token(header: attack.header, payload: attack.payload, signing: attack.signing)
    }
}
