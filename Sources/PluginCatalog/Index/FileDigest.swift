import Crypto
import Posix

/// SHA-256 of files, read through `FileTree.readRegularFile` (never through a link). It stays
/// here rather than in Posix so that the POSIX layer does not depend on swift-crypto.
package enum FileDigest {
    /// Size and SHA-256 (hex) of a regular file, never through a link; nil when absent, unreadable
    /// or not a regular file.
    package static func sha256(_ path: String) -> (size: Int64, sha256: String)? {
        switch hash(path, keep: false, limit: .max) {
        case .success(let result): return (result.size, result.sha256)
        case .failure: return nil
        }
    }

    /// Hashes a regular file, refusing a link or special file put in its place since it was
    /// listed. Returns the bytes too when `keep` is set (for `plugin.json`).
    static func hash(_ path: String, keep: Bool, limit: Int64) -> Result<(size: Int64, sha256: String, bytes: [UInt8]), FileTree.ReadFailure> {
        var hasher = SHA256()
        var kept: [UInt8] = []
        do throws(FileTree.ReadFailure) {
            let size = try FileTree.readRegularFile(path, limit: limit) { chunk in
                hasher.update(bufferPointer: chunk)
                if keep { kept.append(contentsOf: chunk) }
            }
            return .success((size, Digest.hex(hasher.finalize()), kept))
        } catch {
            return .failure(error)
        }
    }
}
