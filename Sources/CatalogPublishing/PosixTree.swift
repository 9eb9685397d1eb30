#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PluginCatalog

/// The few POSIX calls the publisher needs: `lstat` (a link is reported, never followed),
/// raw directory listing, exclusive file creation with `O_NOFOLLOW`, directory fsync.
enum PosixTree {
    enum Kind: Equatable {
        case regular, directory, symlink, missing
        case other(String)
    }

    /// Kind, size and number of names (hard links) of `path`, never following a link.
    static func kind(_ path: String) -> (kind: Kind, size: Int64, links: Int) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return (.missing, 0, 0) }
        let kind: Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        case S_IFIFO: kind = .other("a FIFO")
        case S_IFSOCK: kind = .other("a socket")
        case S_IFCHR: kind = .other("a character device")
        case S_IFBLK: kind = .other("a block device")
        default: kind = .other("a special file")
        }
        return (kind, Int64(st.st_size), Int(st.st_nlink))
    }

    /// `stat` (follows links): for the source path and the catalog root given by the operator.
    static func followedKind(_ path: String) -> Kind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other("not a regular file or folder")
        }
    }

    /// `path` with every link resolved (`realpath`); for a path not created yet, its nearest
    /// existing parent resolved and the rest appended.
    static func resolved(_ path: String) -> String {
        var rest: [String] = []
        var current = path
        while !current.isEmpty {
            if let real = realpath(current, nil) {
                defer { free(real) }
                let base = String(cString: real)
                return rest.isEmpty ? base : (base == "/" ? "" : base) + "/" + rest.reversed().joined(separator: "/")
            }
            if current == "/" { break }
            rest.append((current as NSString).lastPathComponent)
            current = (current as NSString).deletingLastPathComponent
        }
        return path
    }

    static func names(in path: String) -> [String?]? { DirectoryListing.names(in: path) }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Creates a folder 0755 (or `mode`); an existing folder (not a link) is fine when `existingOK`.
    static func makeDirectory(_ path: String, mode: mode_t = 0o755, existingOK: Bool) throws(PublishError) {
        if mkdir(path, mode) == 0 {
            chmod(path, mode)
            return
        }
        let code = errno
        if code == EEXIST, existingOK, kind(path).kind == .directory { return }
        throw .io("cannot create the folder \(path): \(errorText(code))")
    }

    /// Creates `base/c1/c2/…` folder by folder, each 0755; refuses to go through anything
    /// that is not a real folder (a link or a file of the same name).
    static func makeDirectories(base: String, components: [String]) throws(PublishError) {
        var path = base
        for component in components {
            path += "/" + component
            try makeDirectory(path, existingOK: true)
        }
    }

    /// Opens a new file for writing: never an existing one, never through a link.
    static func createFile(_ path: String) throws(PublishError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST { throw .io("the package holds \(path.split(separator: "/").last ?? "") twice") }
            throw .io("cannot create \(path): \(errorText(code))")
        }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// fsync of a file or folder (a folder's fsync makes a rename or a new entry durable).
    @discardableResult
    static func sync(_ path: String, directory: Bool) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : O_NOFOLLOW))
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return fsync(fd) == 0
    }

    static func removeTree(_ path: String) {
        // FileManager removes links themselves, never what they point to.
        try? FileManager.default.removeItem(atPath: path)
    }
}
