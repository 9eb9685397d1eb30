#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reading and vetting the HS256 secret.
package enum SecretPolicy {
    /// HS256 keys shorter than the digest (32 bytes) weaken HMAC (RFC 7518 §3.2).
    package static let minimumSecretBytes = 32
    /// BrainDrive's published default; a server using it accepts anyone's tokens.
    package static let braindriveDefaultSecret = Array("your-secret-key-here".utf8)

    /// Reads the HS256 secret file; exactly one trailing "\n" (or "\r\n") is not part of the secret.
    package static func readSecret(path: String) throws -> [UInt8] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenAuthSetupError.secretUnreadable(path: path, reason: String(describing: error))
        }
        var secret = [UInt8](data)
        if secret.last == UInt8(ascii: "\n") {
            secret.removeLast()
            if secret.last == UInt8(ascii: "\r") { secret.removeLast() }
        }
        return secret
    }

    /// Refuses an empty secret, one shorter than 32 bytes, and BrainDrive's default "your-secret-key-here", unless allowInsecure.
    package static func validate(_ secret: [UInt8], allowInsecure: Bool) throws {
        guard !allowInsecure else { return }
        guard !secret.isEmpty else { throw TokenAuthSetupError.emptySecret }
        guard secret != braindriveDefaultSecret else { throw TokenAuthSetupError.defaultSecret }
        guard secret.count >= minimumSecretBytes else { throw TokenAuthSetupError.secretTooShort(bytes: secret.count) }
    }
}
