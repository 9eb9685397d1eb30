/// What ``TokenVerifier`` accepts. The key decides the one algorithm tokens may use.
package struct TokenVerifierConfiguration: Sendable {
    package enum Key: Sendable {
        /// HS256 with this secret (see ``SecretPolicy`` for reading and vetting it).
        case hmacSecret([UInt8])
        /// A PEM public key: RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA); the kind is detected.
        case publicKeyPEM(String)
    }

    package var key: Key
    /// Seconds of clock skew allowed for `exp`, `nbf` and `iat`.
    package var leeway: Int = 60
    /// When set, `iss` must equal it.
    package var issuer: String? = nil
    /// When set, `aud` (a string or an array of strings) must contain it.
    package var audience: String? = nil
    /// Longer tokens are refused before any decoding.
    package var maxTokenBytes: Int = 8192

    package init(
        key: Key, leeway: Int = 60, issuer: String? = nil, audience: String? = nil, maxTokenBytes: Int = 8192
    ) {
        self.key = key
        self.leeway = leeway
        self.issuer = issuer
        self.audience = audience
        self.maxTokenBytes = maxTokenBytes
    }
}
