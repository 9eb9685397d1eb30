import JWTKit
import Testing
import TokenAuth

/// The verifiers the table runs against; built once (key loading is the only costly step).
enum VerifierKind: Sendable {
    case hs256, hs256IssuerAudience, rs256, es256, eddsa

    var verifier: TokenVerifier {
        switch self {
        case .hs256: Verifiers.hs256
        case .hs256IssuerAudience: Verifiers.hs256IssuerAudience
        case .rs256: Verifiers.rs256
        case .es256: Verifiers.es256
        case .eddsa: Verifiers.eddsa
        }
    }
}

enum Verifiers {
    static let hs256 = make(.hmacSecret(TestTokens.secret))
    static let hs256IssuerAudience = make(.hmacSecret(TestTokens.secret), issuer: "braindrive", audience: "plugins")
    static let rs256 = make(.publicKeyPEM(TestTokens.rsaPrivateKey.publicKey.pemRepresentation))
    static let es256 = make(.publicKeyPEM(TestTokens.es256PrivateKey.publicKey.pemRepresentation))
    static let eddsa = make(.publicKeyPEM(TestTokens.eddsaPrivateKey.publicKey.pemRepresentation))

    private static func make(
        _ key: TokenVerifierConfiguration.Key, issuer: String? = nil, audience: String? = nil
    ) -> TokenVerifier {
        try! TokenVerifier(configuration: .init(key: key, issuer: issuer, audience: audience))
    }
}

struct TokenCase: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let expected: Outcome
    /// For `.invalid`: text the log-only reason must contain, so a case fails for the reason it names.
    var because: String? = nil
    var verifier: VerifierKind = .hs256
    var header: String = TestTokens.header(alg: "HS256")
    var payload: String = TestTokens.userPayload()
    var signing: TestTokens.Signing = .configuredSecret
    /// Changes the signed token before it is sent (tampering, corruption).
    var edit: @Sendable (String) -> String = { $0 }
    /// The `Authorization` header that carries the token.
    var authorization: @Sendable (String) -> String? = { "Bearer \($0)" }
}

/// Replaces one dot-separated segment of a token.
func replacingSegment(_ index: Int, with segment: String) -> @Sendable (String) -> String {
    { token in
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        parts[index] = segment
        return parts.joined(separator: ".")
    }
}

typealias T = TestTokens

let tokenCases: [TokenCase] = [
    // Valid HS256 tokens and the admin rule.
    .init(testDescription: "valid HS256 user token", expected: .user("user123")),
    .init(testDescription: "is_admin true (JSON boolean) grants admin", expected: .admin("user123"),
          payload: T.userPayload(#""is_admin":true"#)),
    .init(testDescription: "roles containing \"admin\" grants admin", expected: .admin("user123"),
          payload: T.userPayload(#""roles":["editor","admin"]"#)),
    .init(testDescription: "is_admin false is a plain user", expected: .user("user123"),
          payload: T.userPayload(#""is_admin":false"#)),
    .init(testDescription: "roles without \"admin\" is a plain user", expected: .user("user123"),
          payload: T.userPayload(#""roles":["editor","Admin"]"#)),
    .init(testDescription: "is_admin as the string \"true\" is refused, so never admin", expected: .invalid, because: "malformed token",
          payload: T.userPayload(#""is_admin":"true""#)),
    .init(testDescription: "roles as a string is refused", expected: .invalid, because: "malformed token",
          payload: T.userPayload(#""roles":"admin""#)),
    .init(testDescription: "roles with a non-string member is refused", expected: .invalid, because: "malformed token",
          payload: T.userPayload(#""roles":["admin",1]"#)),

    // User id normalisation.
    .init(testDescription: "hyphenated UUID sub becomes 32 hex digits", expected: .user("3fa85f6457174562b3fc2c963f66afa6"),
          payload: T.payload(T.sub("3fa85f64-5717-4562-b3fc-2c963f66afa6"), T.exp(3600))),
    .init(testDescription: "sub of 64 allowed characters is accepted", expected: .user(String(repeating: "a", count: 63) + "_"),
          payload: T.payload(T.sub(String(repeating: "a", count: 63) + "_"), T.exp(3600))),
    .init(testDescription: "sub of 65 characters is refused", expected: .invalid, because: "sub is not a valid user id",
          payload: T.payload(T.sub(String(repeating: "a", count: 65)), T.exp(3600))),
    .init(testDescription: "sub with a slash is refused", expected: .invalid, because: "sub is not a valid user id",
          payload: T.payload(T.sub("user/123"), T.exp(3600))),
    .init(testDescription: "sub with a dot-dot is refused", expected: .invalid, because: "sub is not a valid user id",
          payload: T.payload(T.sub(".."), T.exp(3600))),
    .init(testDescription: "sub with non-ASCII letters is refused", expected: .invalid, because: "sub is not a valid user id",
          payload: T.payload(T.sub("usér"), T.exp(3600))),
    .init(testDescription: "sub of only hyphens is refused", expected: .invalid, because: "sub is not a valid user id",
          payload: T.payload(T.sub("---"), T.exp(3600))),
    .init(testDescription: "empty sub is refused", expected: .invalid, because: "sub is not a valid user id",
          payload: T.payload(T.sub(""), T.exp(3600))),
    .init(testDescription: "missing sub is refused", expected: .invalid, because: "no sub",
          payload: T.payload(T.exp(3600))),
    .init(testDescription: "numeric sub is refused", expected: .invalid, because: "malformed token",
          payload: T.payload(#""sub":123"#, T.exp(3600))),

    // Time claims, leeway 60 s.
    .init(testDescription: "exp 61 s past (just beyond leeway) is expired", expected: .expired,
          payload: T.payload(T.sub("user123"), T.exp(-61))),
    .init(testDescription: "exp 60 s past (leeway used up) is expired", expected: .expired,
          payload: T.payload(T.sub("user123"), T.exp(-60))),
    .init(testDescription: "exp 59 s past (within leeway) is accepted", expected: .user("user123"),
          payload: T.payload(T.sub("user123"), T.exp(-59))),
    .init(testDescription: "missing exp is refused", expected: .invalid, because: "no exp",
          payload: T.payload(T.sub("user123"))),
    .init(testDescription: "null exp is refused", expected: .invalid, because: "no exp",
          payload: T.payload(T.sub("user123"), #""exp":null"#)),
    .init(testDescription: "exp as a string is refused", expected: .invalid, because: "malformed token",
          payload: T.payload(T.sub("user123"), #""exp":"\#(T.nowSeconds + 3600)""#)),
    .init(testDescription: "fractional exp is accepted", expected: .user("user123"),
          payload: T.payload(T.sub("user123"), #""exp":\#(T.nowSeconds + 10).5"#)),
    .init(testDescription: "nbf 61 s in the future is refused", expected: .invalid, because: "nbf in the future",
          payload: T.userPayload(T.nbf(61))),
    .init(testDescription: "nbf 59 s in the future (within leeway) is accepted", expected: .user("user123"),
          payload: T.userPayload(T.nbf(59))),
    .init(testDescription: "iat 61 s in the future is refused", expected: .invalid, because: "iat in the future",
          payload: T.payload(T.sub("user123"), T.exp(3600), T.iat(61))),
    .init(testDescription: "iat 59 s in the future (within leeway) is accepted", expected: .user("user123"),
          payload: T.payload(T.sub("user123"), T.exp(3600), T.iat(59))),
    .init(testDescription: "nbf as a string is refused", expected: .invalid, because: "malformed token",
          payload: T.userPayload(#""nbf":"soon""#)),

    // Refresh tokens.
    .init(testDescription: "refresh: true is refused", expected: .invalid, because: "refresh token",
          payload: T.userPayload(#""refresh":true"#)),
    .init(testDescription: "type: refresh is refused", expected: .invalid, because: "refresh token",
          payload: T.userPayload(#""type":"refresh""#)),
    .init(testDescription: "token_type: refresh is refused", expected: .invalid, because: "refresh token",
          payload: T.userPayload(#""token_type":"refresh""#)),
    .init(testDescription: "refresh: false and type: access are accepted", expected: .user("user123"),
          payload: T.userPayload(#""refresh":false"#, #""type":"access""#, #""token_type":"access""#)),

    // Algorithms: the configured key decides.
    .init(testDescription: "alg none with no signature is refused", expected: .invalid, because: "alg \"none\" not accepted, expected HS256",
          header: T.header(alg: "none"), signing: .unsigned),
    .init(testDescription: "alg None (any case) with no signature is refused", expected: .invalid, because: "alg \"None\" not accepted, expected HS256",
          header: T.header(alg: "None"), signing: .unsigned),
    .init(testDescription: "HS384 token with the right secret is refused", expected: .invalid, because: "alg \"HS384\" not accepted, expected HS256",
          header: T.header(alg: "HS384"), signing: .configuredSecretHS384),
    .init(testDescription: "HS512 token with the right secret is refused", expected: .invalid, because: "alg \"HS512\" not accepted, expected HS256",
          header: T.header(alg: "HS512"), signing: .configuredSecretHS512),
    .init(testDescription: "RS256 token against the HS256 secret is refused", expected: .invalid, because: "alg \"RS256\" not accepted, expected HS256",
          header: T.header(alg: "RS256"), signing: .rs256),
    .init(testDescription: "HS384-signed token labelled HS256 is refused (bad signature)", expected: .invalid, because: "bad signature",
          header: T.header(alg: "HS256"), signing: .configuredSecretHS384),
    .init(testDescription: "header without alg is refused", expected: .invalid, because: "header has no string alg",
          header: #"{"typ":"JWT"}"#),
    .init(testDescription: "alg as a number is refused", expected: .invalid, because: "header has no string alg",
          header: #"{"alg":256}"#),
    .init(testDescription: "crit header is refused", expected: .invalid, because: "crit header not supported",
          header: T.header(alg: "HS256", extra: #""crit":["exp"]"#)),

    // Keys are never selected by the token.
    .init(testDescription: "unknown kid with the configured secret is accepted (kid selects nothing)", expected: .user("user123"),
          header: T.header(alg: "HS256", extra: #""kid":"no-such-key""#)),
    .init(testDescription: "jku/x5u/kid pointing elsewhere with another secret is refused", expected: .invalid, because: "bad signature",
          header: T.header(alg: "HS256", extra: #""kid":"attacker","jku":"http://127.0.0.1:1/jwks","x5u":"http://127.0.0.1:1/cert""#),
          signing: .hmac(secret: T.otherSecret, digest: .sha256)),

    // Signature and encoding.
    .init(testDescription: "wrong secret is refused", expected: .invalid, because: "bad signature",
          signing: .hmac(secret: T.otherSecret, digest: .sha256)),
    .init(testDescription: "tampered payload (admin added) is refused", expected: .invalid, because: "bad signature",
          edit: replacingSegment(1, with: T.base64URL(Array(T.userPayload(#""is_admin":true"#).utf8)))),
    .init(testDescription: "signature of another token is refused", expected: .invalid, because: "bad signature",
          edit: replacingSegment(2, with: T.base64URL(Array(repeating: 7, count: 32)))),
    .init(testDescription: "empty signature segment is refused", expected: .invalid, because: "bad signature",
          edit: replacingSegment(2, with: "")),
    .init(testDescription: "bad base64 in the header is refused", expected: .invalid, because: "malformed token",
          edit: replacingSegment(0, with: "eyJhbGciOiJIUzI1NiJ9!")),
    .init(testDescription: "bad base64 in the payload is refused", expected: .invalid, because: "malformed token",
          edit: replacingSegment(1, with: "e30*")),
    .init(testDescription: "payload that is not JSON is refused", expected: .invalid, because: "malformed token",
          payload: "not json"),
    .init(testDescription: "payload that is a JSON array is refused", expected: .invalid, because: "malformed token",
          payload: #"["sub","user123"]"#),
    .init(testDescription: "two segments are refused", expected: .invalid, because: "malformed token",
          edit: { String($0[..<$0.lastIndex(of: ".")!]) }),
    .init(testDescription: "four segments are refused", expected: .invalid, because: "malformed token",
          edit: { $0 + ".e30" }),
    .init(testDescription: "token over 8192 bytes is refused", expected: .invalid, because: "limit 8192",
          payload: T.userPayload(#""pad":"\#(String(repeating: "x", count: 6200))""#)),
    .init(testDescription: "token just under 8192 bytes is accepted", expected: .user("user123"),
          payload: T.userPayload(#""pad":"\#(String(repeating: "x", count: 6000))""#)),

    // The Authorization header.
    .init(testDescription: "no Authorization header is missingToken", expected: .missing,
          authorization: { _ in nil }),
    .init(testDescription: "empty Authorization header is missingToken", expected: .missing,
          authorization: { _ in "" }),
    .init(testDescription: "Basic scheme is missingToken", expected: .missing,
          authorization: { _ in "Basic dXNlcjpwYXNz" }),
    .init(testDescription: "token without a scheme is missingToken", expected: .missing,
          authorization: { $0 }),
    .init(testDescription: "scheme is case-insensitive (bEaReR)", expected: .user("user123"),
          authorization: { "bEaReR \($0)" }),
    .init(testDescription: "extra spaces and tabs around the token are accepted", expected: .user("user123"),
          authorization: { "  Bearer \t \($0)  " }),
    .init(testDescription: "Bearer with no token is invalid", expected: .invalid, because: "empty bearer token",
          authorization: { _ in "Bearer   " }),
    .init(testDescription: "Bearer alone is invalid", expected: .invalid, because: "empty bearer token",
          authorization: { _ in "Bearer" }),
    .init(testDescription: "Bearer glued to the token is not the Bearer scheme", expected: .missing,
          authorization: { "Bearer\($0)" }),
    .init(testDescription: "Bearer followed by two tokens is invalid", expected: .invalid, because: "malformed token",
          authorization: { "Bearer \($0) \($0)" }),

    // iss and aud when configured.
    .init(testDescription: "iss and aud (string) matching are accepted", expected: .user("user123"),
          verifier: .hs256IssuerAudience, payload: T.userPayload(#""iss":"braindrive""#, #""aud":"plugins""#)),
    .init(testDescription: "aud array containing the audience is accepted", expected: .user("user123"),
          verifier: .hs256IssuerAudience, payload: T.userPayload(#""iss":"braindrive""#, #""aud":["chat","plugins"]"#)),
    .init(testDescription: "missing iss is refused when configured", expected: .invalid, because: "no iss",
          verifier: .hs256IssuerAudience, payload: T.userPayload(#""aud":"plugins""#)),
    .init(testDescription: "wrong iss is refused", expected: .invalid, because: "wrong iss",
          verifier: .hs256IssuerAudience, payload: T.userPayload(#""iss":"elsewhere""#, #""aud":"plugins""#)),
    .init(testDescription: "missing aud is refused when configured", expected: .invalid, because: "no aud",
          verifier: .hs256IssuerAudience, payload: T.userPayload(#""iss":"braindrive""#)),
    .init(testDescription: "aud array without the audience is refused", expected: .invalid, because: "wrong aud",
          verifier: .hs256IssuerAudience, payload: T.userPayload(#""iss":"braindrive""#, #""aud":["chat"]"#)),
    .init(testDescription: "aud as a number is refused", expected: .invalid, because: "malformed token",
          verifier: .hs256IssuerAudience, payload: T.userPayload(#""iss":"braindrive""#, #""aud":1"#)),
    .init(testDescription: "iss and aud are ignored when not configured", expected: .user("user123"),
          payload: T.userPayload(#""iss":"elsewhere""#, #""aud":"other""#)),

    // Public keys.
    .init(testDescription: "RS256 token against the RSA key is accepted", expected: .admin("user123"),
          verifier: .rs256, header: T.header(alg: "RS256"), payload: T.userPayload(#""is_admin":true"#), signing: .rs256),
    .init(testDescription: "HS256 token against the RSA key is refused", expected: .invalid, because: "alg \"HS256\" not accepted, expected RS256",
          verifier: .rs256, header: T.header(alg: "HS256"), signing: .configuredSecret),
    .init(testDescription: "HS256 token keyed with the RSA public PEM (key confusion) is refused", expected: .invalid, because: "alg \"HS256\" not accepted, expected RS256",
          verifier: .rs256, header: T.header(alg: "HS256"),
          signing: .hmac(secret: Array(T.rsaPrivateKey.publicKey.pemRepresentation.utf8), digest: .sha256)),
    .init(testDescription: "PS256 label on an RS256 signature is refused", expected: .invalid, because: "alg \"PS256\" not accepted, expected RS256",
          verifier: .rs256, header: T.header(alg: "PS256"), signing: .rs256),
    .init(testDescription: "tampered RS256 payload is refused", expected: .invalid, because: "bad signature",
          verifier: .rs256, header: T.header(alg: "RS256"), signing: .rs256,
          edit: replacingSegment(1, with: T.base64URL(Array(T.payload(T.sub("root"), T.exp(3600)).utf8)))),
    .init(testDescription: "expired RS256 token is expired", expected: .expired,
          verifier: .rs256, header: T.header(alg: "RS256"), payload: T.payload(T.sub("user123"), T.exp(-120)), signing: .rs256),
    .init(testDescription: "ES256 token against the P-256 key is accepted", expected: .user("user123"),
          verifier: .es256, header: T.header(alg: "ES256"), signing: .es256),
    .init(testDescription: "ES256 token against the RSA key is refused", expected: .invalid, because: "alg \"ES256\" not accepted, expected RS256",
          verifier: .rs256, header: T.header(alg: "ES256"), signing: .es256),
    .init(testDescription: "RS256 token against the P-256 key is refused", expected: .invalid, because: "alg \"RS256\" not accepted, expected ES256",
          verifier: .es256, header: T.header(alg: "RS256"), signing: .rs256),
    .init(testDescription: "EdDSA token against the Ed25519 key is accepted", expected: .user("user123"),
          verifier: .eddsa, header: T.header(alg: "EdDSA"), signing: .eddsa),
    .init(testDescription: "ES256 token against the Ed25519 key is refused", expected: .invalid, because: "alg \"ES256\" not accepted, expected EdDSA",
          verifier: .eddsa, header: T.header(alg: "ES256"), signing: .es256),
    .init(testDescription: "none against the Ed25519 key is refused", expected: .invalid, because: "alg \"none\" not accepted, expected EdDSA",
          verifier: .eddsa, header: T.header(alg: "none"), signing: .unsigned),
]

@Suite("TokenVerifier case table", .timeLimit(.minutes(10)))
struct TokenVerifierCaseTests {
    @Test(arguments: tokenCases)
    func verify(_ testCase: TokenCase) async throws {
        let token = testCase.edit(
            try await TestTokens.token(header: testCase.header, payload: testCase.payload, signing: testCase.signing))
        let result = testCase.verifier.verifier.verify(authorizationHeader: testCase.authorization(token), now: TestTokens.now)
        #expect(Outcome(result) == testCase.expected, "\(result)")
        if testCase.expected == .invalid {
            let because = try #require(testCase.because, "an invalid case must name its reason")
            if case .failure(.invalidToken(let reason)) = result {
                #expect(reason.contains(because), "reason: \(reason)")
            }
        }
    }
}
