import Crypto
import Foundation
import PluginCatalog

/// The POSIX calls the operator commands need: links are never followed, errno is kept.
enum Disk {
    enum Kind: Equatable { case missing, file, directory, link, other }

    static func kind(_ path: String) -> Kind {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .link
        default: return .other
        }
    }

    /// Permission bits of `path` (not following a link), or nil when it is absent.
    static func mode(_ path: String) -> mode_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & 0o7777 : nil
    }

    static func failure(_ operation: String, _ path: String) -> MaintenanceError {
        .fileSystem(operation: operation, path: path, reason: String(cString: strerror(errno)))
    }

    /// Names in a folder, sorted, without `.` and `..` (the one listing every module shares).
    /// Names that are not UTF-8 are left out: the service never writes them.
    static func entries(_ directory: String) throws(MaintenanceError) -> [String] {
        guard let names = DirectoryListing.names(in: directory) else { throw failure("opendir", directory) }
        return names.compactMap { $0 }
    }

    static func isEmptyOrMissing(_ directory: String) -> Bool {
        switch kind(directory) {
        case .missing: return true
        case .directory: return ((try? entries(directory)) ?? ["?"]).isEmpty
        default: return false
        }
    }

    /// Creates `path` (parents too) with exactly `mode`.
    static func makeDirectory(_ path: String, mode: mode_t) throws(MaintenanceError) {
        if kind(path) == .directory { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path && kind(parent) == .missing { try makeDirectory(parent, mode: 0o755) }
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw failure("mkdir", path) }
        guard chmod(path, mode) == 0 else { throw failure("chmod", path) }
    }

    static func rename(_ from: String, _ to: String) throws(MaintenanceError) {
        guard Glibc.rename(from, to) == 0 else { throw failure("rename", from) }
    }

    /// Makes renames and new entries in `directory` durable.
    static func syncDirectory(_ directory: String) throws(MaintenanceError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("fsync", directory) }
    }

    /// Removes a tree; a link is removed, never followed.
    static func removeTree(_ path: String) throws(MaintenanceError) {
        switch kind(path) {
        case .missing: return
        case .directory:
            _ = chmod(path, 0o700)
            for name in try entries(path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else { throw failure("rmdir", path) }
        default:
            guard unlink(path) == 0 || errno == ENOENT else { throw failure("unlink", path) }
        }
    }

    /// Copies a regular file with `mode`, fsyncs it, and returns its size and SHA-256 (of the
    /// bytes written, so the digest vouches for the copy, not for a source that changed after).
    @discardableResult
    static func copyFile(_ from: String, _ to: String, mode: mode_t) throws(MaintenanceError) -> (size: Int64, sha256: String) {
        let input = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard input >= 0 else { throw failure("open", from) }
        defer { close(input) }
        let output = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard output >= 0 else { throw failure("create", to) }
        defer { close(output) }
        var hasher = SHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read", from)
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("write", to)
                }
                offset += written
            }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            size += Int64(count)
        }
        // O_CREAT obeys the umask; the copy must have exactly `mode` (the secret's 0600 above all).
        guard fchmod(output, mode) == 0 else { throw failure("chmod", to) }
        guard fsync(output) == 0 else { throw failure("fsync", to) }
        return (size, hex(hasher.finalize()))
    }

    /// SHA-256 of a regular file (nil when it cannot be read).
    static func sha256(_ path: String) -> String? { FileDigest.sha256(path)?.sha256 }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

extension Disk {
    /// `path` with every link resolved (`realpath` of its deepest existing ancestor, the missing
    /// rest appended): two spellings of one place compare equal. `path` is absolute.
    static func resolved(_ path: String) -> String {
        var existing = path
        var rest: [String] = []
        while kind(existing) == .missing && existing != "/" && !existing.isEmpty {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        guard let real = realpath(existing.isEmpty ? "/" : existing, nil) else { return path }
        defer { free(real) }
        let base = String(cString: real)
        return rest.isEmpty ? base : (base == "/" ? "" : base) + "/" + rest.joined(separator: "/")
    }

    /// Writes `value` as JSON to `folder/name` durably: a temporary file, fsynced, renamed over
    /// the name, the folder synced. A reader sees the old file or the whole new one.
    static func writeJSON(_ value: some Encodable, to folder: String, name: String) throws(MaintenanceError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let path = folder + "/" + name
        let temporary = path + ".tmp"
        do {
            try encoder.encode(value).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw .fileSystem(operation: "write", path: temporary, reason: "\(error)")
        }
        let fd = open(temporary, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
        try rename(temporary, path)
        try syncDirectory(folder)
    }

    static func size(_ path: String) -> Int64? {
        var st = stat()
        return lstat(path, &st) == 0 ? Int64(st.st_size) : nil
    }
}
