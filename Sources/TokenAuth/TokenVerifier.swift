#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JWTKit

/// Turns an `Authorization` header into an ``Identity``, synchronously.
///
/// Built once per process; `verify` is safe to call from many threads at once, including
/// libfcgi threads that are not Swift-concurrency threads (no actor hop, no task, no lock).
///
/// ```swift
/// let verifier = try TokenVerifier(configuration: .init(key: .hmacSecret(secret)))
/// switch verifier.verify(authorizationHeader: params["HTTP_AUTHORIZATION"]) {
/// case .success(let identity): …
/// case .failure(let failure): … // 401; log failure, send only its problem code
/// }
/// ```
///
/// Per request: the configured key's `JWTAlgorithm.verify(_:signs:)` checks the signature, and
/// the claim rules of API.md "Identity" are applied here, with the leeway jwt-kit lacks. Header
/// and claims are decoded by jwt-kit's `DefaultJWTParser.parse` the first time a token's bytes are
/// seen, and reused for the same bytes afterwards (``ParsedTokenCache``).
package final class TokenVerifier: Sendable {
    private let key: SignatureKey
    private let parser: DefaultJWTParser
    private let leeway: Double
    private let issuer: String?
    private let audience: String?
    private let maxTokenBytes: Int
    private let parsed = ParsedTokenCache(capacity: 1024)

    package init(configuration: TokenVerifierConfiguration) throws {
        guard configuration.leeway >= 0 else {
            throw TokenAuthSetupError.invalidConfiguration("leeway must not be negative")
        }
        guard configuration.maxTokenBytes > 0 else {
            throw TokenAuthSetupError.invalidConfiguration("maxTokenBytes must be positive")
        }
        self.key = try SignatureKey.load(configuration.key)
        self.parser = DefaultJWTParser()
        self.leeway = Double(configuration.leeway)
        self.issuer = configuration.issuer
        self.audience = configuration.audience
        self.maxTokenBytes = configuration.maxTokenBytes
    }

    /// The `alg` tokens must carry: HS256, RS256, ES256 or EdDSA.
    package var acceptedAlgorithm: String { key.algorithmName }

    /// Synchronous (called from libfcgi threads that are not Swift-concurrency threads, ~thousands/s): no actor hop, no Task/semaphore.
    package func verify(authorizationHeader: String?, now: Date = Date()) -> Result<Identity, AuthFailure> {
        let token: [UInt8]
        switch BearerCredentials.parse(authorizationHeader) {
        case .absent: return .failure(.missingToken)
        case .empty: return .failure(.invalidToken(reason: "empty bearer token"))
        case .token(let value): token = value
        }
        guard token.count <= maxTokenBytes else {
            return .failure(.invalidToken(reason: "token is \(token.count) bytes, limit \(maxTokenBytes)"))
        }
        return verify(token: token, now: now.timeIntervalSince1970)
    }

    private func verify(token: [UInt8], now: Double) -> Result<Identity, AuthFailure> {
        guard CompactToken.hasCompactShape(token) else {
            return .failure(.invalidToken(reason: "malformed token: not three unpadded base64url segments"))
        }
        // Exactly two periods (checked above): the signing input ends at the last.
        let signingInputEnd = token.lastIndex(of: UInt8(ascii: "."))!
        let signingInput = token[..<signingInputEnd]
        // One spelling per signature: unused low bits must be zero, as RFC 4648 §3.5 lets a decoder demand.
        guard let signature = Base64URL.decode(token[(signingInputEnd + 1)...], canonical: true) else {
            return .failure(.invalidToken(reason: "malformed token: the signature is not canonical base64url"))
        }
        let cached = parsed.claims(signedBy: signingInput)
        let claims: TokenClaims
        if let cached {
            claims = cached
        } else {
            switch decode(token) {
            case .success(let decoded): claims = decoded
            case .failure(let failure): return .failure(failure)
            }
        }

        let signatureValid: Bool
        do {
            signatureValid = try key.algorithm.verify(signature, signs: signingInput)
        } catch {
            return .failure(.invalidToken(reason: "signature unreadable: \(Self.describe(error))"))
        }
        guard signatureValid else { return .failure(.invalidToken(reason: "bad signature")) }
        if cached == nil { parsed.store(claims, signedBy: signingInput) }

        return check(claims, now: now)
    }

    /// Header and claims of a token not seen before: shape, duplicate names, jwt-kit's parse, and
    /// the header rules. The signature is checked by the caller.
    private func decode(_ token: [UInt8]) -> Result<TokenClaims, AuthFailure> {
        let segments = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard !CompactToken.hasDuplicateMembers(segment: segments[0]), !CompactToken.hasDuplicateMembers(segment: segments[1]) else {
            return .failure(.invalidToken(reason: "malformed token: a header or claim name appears twice"))
        }
        let header: JWTHeader
        let claims: TokenClaims
        do {
            (header, claims, _) = try parser.parse(token, as: TokenClaims.self)
        } catch {
            return .failure(.invalidToken(reason: "malformed token: \(Self.describe(error))"))
        }

        // The key decides the algorithm; the header must agree (refuses `none`, HS/RS confusion).
        // kid, jku, x5u, x5c and jwk are never used: there is exactly one key.
        guard let alg = header.alg else { return .failure(.invalidToken(reason: "header has no string alg")) }
        guard alg == key.algorithmName else {
            return .failure(.invalidToken(reason: "alg \(Self.loggable(alg)) not accepted, expected \(key.algorithmName)"))
        }
        // RFC 7515 §4.1.11: extensions listed as critical must be understood; none are.
        guard header.fields["crit"] == nil else { return .failure(.invalidToken(reason: "crit header not supported")) }
        return .success(claims)
    }

    private func check(_ claims: TokenClaims, now: Double) -> Result<Identity, AuthFailure> {
        guard let exp = claims.exp else { return .failure(.invalidToken(reason: "no exp")) }
        guard now < exp + leeway else { return .failure(.expiredToken) }
        if let nbf = claims.nbf, nbf > now + leeway {
            return .failure(.invalidToken(reason: "nbf in the future"))
        }
        if let iat = claims.iat, iat > now + leeway {
            return .failure(.invalidToken(reason: "iat in the future"))
        }
        if let issuer, claims.iss != issuer {
            return .failure(.invalidToken(reason: claims.iss == nil ? "no iss" : "wrong iss"))
        }
        if let audience, claims.aud?.contains(audience) != true {
            return .failure(.invalidToken(reason: claims.aud == nil ? "no aud" : "wrong aud"))
        }
        guard !claims.isRefreshToken else { return .failure(.invalidToken(reason: "refresh token")) }
        guard let sub = claims.sub else { return .failure(.invalidToken(reason: "no sub")) }
        guard let userID = Identity.normalizedUserID(fromSubject: sub) else {
            return .failure(.invalidToken(reason: "sub is not a valid user id (\(sub.utf8.count) bytes)"))
        }
        return .success(Identity(userID: userID, isAdmin: claims.grantsAdmin))
    }

    /// Token-supplied text in a log line: printable ASCII only, and short.
    private static func loggable(_ value: String) -> String {
        let cleaned = value.unicodeScalars.prefix(32).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" }
        return "\"" + String(cleaned) + "\""
    }

    private static func describe(_ error: any Error) -> String {
        let text = (error as? JWTError)?.reason ?? String(describing: error)
        return String(text.prefix(200))
    }
}
