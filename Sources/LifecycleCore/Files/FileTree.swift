import Crypto
import Foundation
import PluginCatalog

/// The few POSIX file operations the lifecycle needs, with errno preserved and no symlink ever followed.
enum FileTree {
    /// A symlink (or other non-folder) stands where the data directory's layout has a folder:
    /// planted by someone with access to the disk. Refused, never followed: the API answers 503
    /// `storage_unavailable` (an operator must look), the log names the path.
    static func linkRefused(_ path: String) -> LifecycleError {
        .storageUnavailable(reason: "\(path) is not a real folder (a symbolic link?); refusing to follow it")
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and missing parents with `mode`.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 {
            // A link to a folder is accepted here (an operator may link the data directory itself;
            // rename and removal refuse linked parents inside it); anything else is never a folder.
            if errno == EEXIST {
                var st = stat()
                if stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { return }
                throw linkRefused(path)
            }
            throw FileSystemError("mkdir", path)
        }
        // mkdir obeys the umask; the contract wants exactly `mode`.
        if chmod(path, mode) != 0 { throw FileSystemError("chmod", path) }
        // The new entry must survive a power cut as surely as the commit that will name it.
        if !parent.isEmpty { try syncDirectory(parent) }
    }

    /// rename(2) follows links in the folders above both ends: each end's folder must be a real
    /// one, or a symlink planted as `plugins/{user}` would move a folder outside the data directory.
    static func rename(_ from: String, _ to: String) throws {
        try requireRealParent(from)
        try requireRealParent(to)
        if Glibc.rename(from, to) != 0 { throw FileSystemError("rename", from) }
    }

    /// The folder holding `path` is a directory, not a link to one. Only that folder is checked:
    /// callers move `plugins/{user}/{slug}` and `staging/{operation}/…`, so this covers the user's
    /// and the operation's folders; links further up (the data directory itself, `plugins/`) are
    /// the operator's choice and are followed.
    static func requireRealParent(_ path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && !isDirectory(parent) && exists(parent) { throw linkRefused(parent) }
    }

    /// True when no symlink lies between `path` and the plugin folder holding it, nor as that
    /// folder's parent (the user's folder). The plugin folder is the nearest one above that holds
    /// `plugin_metadata.json` (also a staged copy) or sits at `plugins/{user}/{slug}` (an installed
    /// copy that lost its metadata file). Status reads files only through such paths, so a linked
    /// subfolder or user folder reads as missing instead of vouching for files that live elsewhere.
    static func isInsidePluginFolderWithoutLinks(_ path: String) -> Bool {
        var folder = (path as NSString).deletingLastPathComponent
        for _ in 0..<64 {
            guard !folder.isEmpty, folder != "/", isDirectory(folder) else { return false }
            let parent = (folder as NSString).deletingLastPathComponent
            if lstatRegularFileSize(folder + "/" + PluginMetadataFile.fileName) != nil
                || ((parent as NSString).deletingLastPathComponent as NSString).lastPathComponent == "plugins" {
                return isDirectory(parent)
            }
            folder = parent
        }
        return false
    }

    /// Makes a rename or a new entry in `directory` durable.
    static func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError("open", directory) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw FileSystemError("fsync", directory) }
    }

    /// Removes a tree without following links (a symlink planted in a user's folder is removed, never its target).
    static func removeTree(_ path: String) throws {
        try requireRealParent(path)
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw FileSystemError("lstat", path)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            // A folder without write or search permission (a user's chmod) must still go.
            _ = chmod(path, 0o700)
            for name in try entries(path) { try removeTree(path + "/" + name) }
            if rmdir(path) != 0 && errno != ENOENT { throw FileSystemError("rmdir", path) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw FileSystemError("unlink", path)
        }
    }

    static func entries(_ directory: String) throws -> [String] {
        guard let dir = opendir(directory) else { throw FileSystemError("opendir", directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Writes `data` to a new file with mode 0644 and fsyncs it.
    static func writeFile(_ path: String, _ data: [UInt8]) throws {
        try requireRealParent(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw FileSystemError("create", path) }
        defer { close(fd) }
        try writeAll(fd, data[...], path: path)
        if fchmod(fd, 0o644) != 0 { throw FileSystemError("chmod", path) }
        if fsync(fd) != 0 { throw FileSystemError("fsync", path) }
    }

    static func writeAll(_ fd: Int32, _ data: ArraySlice<UInt8>, path: String) throws {
        var offset = data.startIndex
        while offset < data.endIndex {
            let written = data[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("write", path)
            }
            offset += written
        }
    }

    /// Size and SHA-256 of a regular file of a plugin folder; nil when absent, not a regular file,
    /// or reached through a link (see ``isInsidePluginFolderWithoutLinks(_:)``).
    static func digest(_ path: String) -> (size: Int64, sha256: String)? {
        guard isInsidePluginFolderWithoutLinks(path) else { return nil }
        return FileDigest.sha256(path)
    }

    /// Size of a regular file, without following a link at `path` itself; nil otherwise.
    static func lstatRegularFileSize(_ path: String) -> Int64? {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }
}

extension Digest {
    var hexString: String {
        var result = ""
        result.reserveCapacity(Self.byteCount * 2)
        for byte in self {
            result.append(hexDigits[Int(byte >> 4)])
            result.append(hexDigits[Int(byte & 0x0F)])
        }
        return result
    }
}

private let hexDigits: [Character] = Array("0123456789abcdef")
