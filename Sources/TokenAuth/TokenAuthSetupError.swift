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
    /// The bundle-secret file is shorter than ``SecretPolicy/minimumSecretBytes``.
    case bundleSecretTooShort(bytes: Int)
    /// The bundle-secret file holds the JWT secret: each key must be its own.
    case bundleSecretIsJWTSecret
}

extension TokenAuthSetupError: CustomStringConvertible {
    /// What `serve` and `worker` print when they refuse to start.
    package var description: String {
        switch self {
        case .secretUnreadable(let path, let reason): "cannot read the secret file \(path): \(reason)"
        case .emptySecret: "the HS256 secret is empty"
        case .secretTooShort(let bytes): "the HS256 secret is \(bytes) bytes; at least \(SecretPolicy.minimumSecretBytes) are required"
        case .defaultSecret: "the HS256 secret is BrainDrive's published default; anyone could mint tokens with it"
        case .unsupportedPublicKey: "the public key is not an RSA, P-256 or Ed25519 PEM key"
        case .invalidConfiguration(let detail): "invalid token configuration: \(detail)"
        case .keyLoadingFailed(let detail): "the token key could not be loaded: \(detail)"
        case .bundleSecretTooShort(let bytes):
            "the bundle secret is \(bytes) bytes; at least \(SecretPolicy.minimumSecretBytes) are required (for DATA_DIR/bundle-secret: remove it, and `serve` or `init` makes a new one)"
        case .bundleSecretIsJWTSecret:
            "the bundle secret is the JWT secret; it must be a key of its own (for DATA_DIR/bundle-secret: remove it, and `serve` or `init` makes a new one)"
        }
    }
}
