#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Posix

/// Making, reading and vetting the data directory's secrets: `jwt-secret` (HS256 tokens) and
/// `bundle-secret` (signed bundle URLs, ``BundleSigner``).
package enum SecretPolicy {
    /// The bundle URL key's default file, `DATA_DIR/bundle-secret` beside `jwt-secret`.
    package static func bundleSecretPath(dataDirectory root: String) -> String { root + "/bundle-secret" }

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

    /// Refuses a bundle secret shorter than 32 bytes, or the JWT secret itself (a key shared by
    /// both would let a leaked URL's MAC help forge tokens, and rotating one void the other).
    /// `jwtSecret` is nil when tokens are checked with a public key.
    package static func validateBundleSecret(_ secret: [UInt8], jwtSecret: [UInt8]?) throws(TokenAuthSetupError) {
        guard secret.count >= minimumSecretBytes else { throw .bundleSecretTooShort(bytes: secret.count) }
        guard secret != jwtSecret else { throw .bundleSecretIsJWTSecret }
    }

    /// Writes a new secret to `path`: 32 random bytes as 64 hex characters and a newline, mode
    /// 0600, created with O_EXCL so an existing secret is never replaced. Returns false when the
    /// file already exists (another `init` or `serve` may have made it a moment ago).
    package static func createSecret(path: String) throws(SystemCallError) -> Bool {
        var generator = SystemRandomNumberGenerator()
        var text: [UInt8] = []
        for _ in 0..<32 {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            text += [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
        }
        text.append(UInt8(ascii: "\n"))
        let fd: Int32
        do throws(SystemCallError) {
            fd = try FileTree.createFile(path, mode: 0o600)
        } catch {
            if error.code == EEXIST { return false }
            throw error
        }
        defer { close(fd) }
        try FileTree.writeAll(fd, text, path: path)
        // The mode exactly, whatever the umask; then durable before anyone signs with it.
        if fchmod(fd, 0o600) != 0 { throw SystemCallError("chmod", path) }
        if fsync(fd) != 0 { throw SystemCallError("fsync", path) }
        return true
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
