/// Refusals while configuring token checks: a bad key or secret, or an unreadable secret file.
/// Raised once at start-up, never per request.
package enum TokenAuthSetupError: Error, Sendable, Equatable {
    /// The secret file could not be read (the message names the path, for the operator).
    case secretUnreadable(path: String, reason: String)
    case emptySecret
    /// Shorter than ``SecretPolicy/minimumSecretBytes``.
    case secretTooShort(bytes: Int)
    /// BrainDrive's published default, "your-secret-key-here": anyone can mint tokens with it.
    case defaultSecret
    /// Not a PEM public key of a supported kind: RSA (RS256), P-256 (ES256) or Ed25519 (EdDSA).
    case unsupportedPublicKey
    case invalidConfiguration(String)
    /// jwt-kit refused the key or failed to sign (minting).
    case keyLoadingFailed(String)
}
