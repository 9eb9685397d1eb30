#if canImport(Glibc)
import Glibc
#endif

extension FileTree {
    /// What ``makeDirectories(_:mode:parentMode:linkedFolders:syncsParent:)`` makes of an existing
    /// link where a folder belongs.
    package enum LinkedFolders: Sendable {
        /// A link to a folder is used (an operator may link the data directory itself; rename and
        /// removal still refuse linked parents inside it).
        case followed
        /// Only a real folder will do (a package being extracted: a link there is planted).
        case refused
    }

    /// Creates `path` and its missing parents. A new folder gets exactly `mode` (mkdir obeys the
    /// umask), a new parent `parentMode` (`mode` when nil). An existing real folder is fine, a link
    /// to one too with `.followed`; anything else is refused (``SystemCallError/notARealFolder(_:)``).
    /// With `syncsParent`, each new entry is made durable in its parent, as surely as the commit
    /// that will name it; without, the caller syncs the tree it built once it is complete.
    package static func makeDirectories(_ path: String, mode: mode_t = 0o755, parentMode: mode_t? = nil,
                                        linkedFolders: LinkedFolders = .refused, syncsParent: Bool = true) throws(SystemCallError) {
        if isDirectory(path) { return }
        let parent = parentPath(path)
        if !parent.isEmpty && parent != path {
            try makeDirectories(parent, mode: parentMode ?? mode, parentMode: parentMode,
                                linkedFolders: linkedFolders, syncsParent: syncsParent)
        }
        if mkdir(path, mode) != 0 {
            guard errno == EEXIST else { throw SystemCallError("mkdir", path) }
            var st = stat()
            let found = linkedFolders == .followed ? stat(path, &st) : lstat(path, &st)
            if found == 0 && (st.st_mode & S_IFMT) == S_IFDIR { return }
            throw .notARealFolder(path)
        }
        if chmod(path, mode) != 0 { throw SystemCallError("chmod", path) }
        if syncsParent && !parent.isEmpty { try syncDirectory(parent) }
    }

    /// Creates one new folder with exactly `mode`; an existing name of any kind fails with EEXIST.
    package static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(SystemCallError) {
        if mkdir(path, mode) != 0 { throw SystemCallError("mkdir", path) }
        if chmod(path, mode) != 0 { throw SystemCallError("chmod", path) }
    }

    /// rename(2) follows links in the folders above both ends: each end's folder must be a real
    /// one, or a symlink planted as `plugins/{user}` would move a folder outside the data
    /// directory. `trusted` names a folder the caller vouches for (a data directory or catalog
    /// root an operator may have linked): that one is followed.
    package static func rename(_ from: String, _ to: String, trusting trusted: String? = nil) throws(SystemCallError) {
        try requireRealParent(from, trusting: trusted)
        try requireRealParent(to, trusting: trusted)
        if Glibc.rename(from, to) != 0 { throw SystemCallError("rename", from) }
    }

    /// The folder holding `path` is a folder, not a link to one (or it is `trusted`, or absent).
    /// Only that folder is checked: links further up are the operator's choice and are followed.
    package static func requireRealParent(_ path: String, trusting trusted: String? = nil) throws(SystemCallError) {
        let parent = parentPath(path)
        if parent.isEmpty || parent == trusted { return }
        if !isDirectory(parent) && exists(parent) { throw .notARealFolder(parent) }
    }

    /// Makes a rename or a new entry in `directory` durable.
    package static func syncDirectory(_ directory: String) throws(SystemCallError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemCallError("open", directory) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw SystemCallError("fsync", directory) }
    }

    /// fsync of a regular file, never through a link.
    package static func syncFile(_ path: String) throws(SystemCallError) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemCallError("open", path) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw SystemCallError("fsync", path) }
    }

    /// Opens a new file for writing with `mode` (before the umask): never an existing one, never
    /// through a link. The caller closes it.
    package static func createFile(_ path: String, mode: mode_t = 0o644) throws(SystemCallError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemCallError("create", path) }
        return fd
    }

    /// Writes `bytes` to a new file (its folder a real one) with exactly `mode`, and fsyncs it.
    package static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(SystemCallError) {
        try requireRealParent(path)
        let fd = try createFile(path, mode: mode)
        defer { close(fd) }
        try writeAll(fd, bytes, path: path)
        if fchmod(fd, mode) != 0 { throw SystemCallError("chmod", path) }
        if fsync(fd) != 0 { throw SystemCallError("fsync", path) }
    }

    /// write(2) until every byte is written (a write may be short), EINTR retried.
    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(SystemCallError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("write", path)
            }
            offset += written
        }
    }

    package static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemCallError) {
        let failure = bytes.withUnsafeBytes { raw -> SystemCallError? in
            do throws(SystemCallError) { try writeAll(fd, raw, path: path) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// `path` with every link resolved (`realpath`); for a path not created yet (or not
    /// readable), its nearest resolvable parent resolved and the rest appended: two spellings of
    /// one place compare equal.
    package static func resolved(_ path: String) -> String {
        var rest: [String] = []
        var current = path
        while !current.isEmpty {
            if let real = realpath(current, nil) {
                defer { free(real) }
                let base = String(cString: real)
                return rest.isEmpty ? base : (base == "/" ? "" : base) + "/" + rest.reversed().joined(separator: "/")
            }
            if current == "/" { break }
            rest.append(lastComponent(current))
            current = parentPath(current)
        }
        return path
    }

    /// The target a symbolic link names, nil when `path` is not one.
    package static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The folder holding `path` ("" for a bare name, "/" at the top), as NSString's
    /// `deletingLastPathComponent` says it, without Foundation.
    static func parentPath(_ path: String) -> String {
        var bytes = Substring(path).utf8[...]
        while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes = bytes.dropLast() }
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        if slash == bytes.startIndex { return "/" }
        var end = slash
        while end > bytes.startIndex, bytes[bytes.index(before: end)] == UInt8(ascii: "/") { end = bytes.index(before: end) }
        return end == bytes.startIndex ? "/" : String(Substring(bytes[..<end]))
    }

    /// The last component of `path`, trailing slashes ignored.
    static func lastComponent(_ path: String) -> String {
        var bytes = Substring(path).utf8[...]
        while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes = bytes.dropLast() }
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return String(Substring(bytes)) }
        return String(Substring(bytes[bytes.index(after: slash)...]))
    }
}
