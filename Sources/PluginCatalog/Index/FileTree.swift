#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto

/// Thin POSIX layer for the catalog: `lstat`-based listing (a symlink is reported as one, never
/// followed) and hashing through `O_NOFOLLOW`. Foundation's FileManager hides the file kinds
/// and the raw names this layer must check, and is slower on Linux.
enum FileTree {
    enum Kind: Equatable { case regular, directory, symlink, other(String), missing }

    struct Status {
        var kind: Kind
        var size: Int64
        /// mtime and ctime with nanoseconds, inode and size: enough to notice a change cheaply.
        var stamp: String
    }

    static func status(_ path: String) -> Status {
        var st = stat()
        guard lstat(path, &st) == 0 else { return Status(kind: .missing, size: 0, stamp: "-") }
        let kind: Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        case S_IFIFO: kind = .other("a FIFO")
        case S_IFSOCK: kind = .other("a socket")
        case S_IFCHR, S_IFBLK: kind = .other("a device")
        default: kind = .other("a special file")
        }
        #if canImport(Darwin)
        let stamp = "\(st.st_ino):\(st.st_size):\(st.st_mtimespec.tv_sec).\(st.st_mtimespec.tv_nsec):\(st.st_ctimespec.tv_sec).\(st.st_ctimespec.tv_nsec)"
        #else
        let stamp = "\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec):\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
        #endif
        return Status(kind: kind, size: Int64(st.st_size), stamp: stamp)
    }

    static func names(in path: String) -> [String?]? { DirectoryListing.names(in: path) }

    enum ReadFailure: Error { case cannotOpen, notRegular, readError, tooLarge }

    /// Hashes a regular file, refusing to follow a symlink put in its place since it was listed.
    /// Returns the bytes too when `keep` is set (for `plugin.json`).
    static func hash(_ path: String, keep: Bool, limit: Int64) -> Result<(size: Int64, sha256: String, bytes: [UInt8]), ReadFailure> {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.cannotOpen) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return .failure(.notRegular) }
        var hasher = SHA256()
        var kept: [UInt8] = []
        var total: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.readError)
            }
            if count == 0 { break }
            total += Int64(count)
            if total > limit { return .failure(.tooLarge) }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            if keep { kept.append(contentsOf: buffer[0..<count]) }
        }
        return .success((total, Digest.hex(hasher.finalize()), kept))
    }
}

/// Listing and hashing shared by every module that walks package folders (catalog, publishing,
/// legacy migration, the lifecycle core), so there is one way to do each.
package enum DirectoryListing {
    /// Entry names of a directory, sorted, without `.` and `..`; nil when it cannot be opened.
    /// A name that is not valid UTF-8 comes back as nil inside the array.
    package static func names(in path: String) -> [String?]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String?] = []
        while let entry = readdir(dir) {
            let name: String? = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(validatingCString: $0)
                }
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        return names.sorted { ($0 ?? "") < ($1 ?? "") }
    }
}

package enum FileDigest {
    /// Size and SHA-256 (hex) of a regular file, never through a link; nil when absent, unreadable
    /// or not a regular file.
    package static func sha256(_ path: String) -> (size: Int64, sha256: String)? {
        switch FileTree.hash(path, keep: false, limit: .max) {
        case .success(let result): return (result.size, result.sha256)
        case .failure: return nil
        }
    }
}
