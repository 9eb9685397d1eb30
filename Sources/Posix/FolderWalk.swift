#if canImport(Glibc)
import Glibc
#endif

/// Reads the sizes of many files under one folder without following a link anywhere below it:
/// the folder is opened once (`O_NOFOLLOW`), each subfolder once relative to its parent, and each
/// file is `fstatat`'d relative to its folder, so no path is rebuilt or walked again per file.
/// A subfolder that is a link (or missing) makes every file below it read as absent.
///
/// `status` runs this on every request, so it allocates only for subfolder names.
package final class FolderWalk {
    private let root: Int32
    /// Subfolder (relative path, no trailing `/`) → its descriptor, or -1 when it is not a real folder.
    private var folders: [Substring: Int32] = [:]

    /// Opens `parent/name`, refusing a link as either of those two (the components above `parent`
    /// are the operator's: a data directory may sit behind a link). Nil unless both are real folders.
    package init?(_ name: String, in parent: String) {
        let parentFD = open(parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard parentFD >= 0 else { return nil }
        let fd = openat(parentFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        close(parentFD)
        guard fd >= 0 else { return nil }
        root = fd
    }

    deinit {
        close(root)
        for fd in folders.values where fd >= 0 { close(fd) }
    }

    /// Size of the regular file at `relativePath` (no `..`, no leading `/`), or nil when it or
    /// any folder on its way is missing, a link, or not what it should be.
    package func regularFileSize(_ relativePath: String) -> Int64? {
        let utf8 = relativePath.utf8
        let slash = utf8.lastIndex(of: UInt8(ascii: "/"))
        let folder: Int32
        if let slash {
            folder = descriptor(of: relativePath[..<slash])
            guard folder >= 0 else { return nil }
        } else {
            folder = root
        }
        let nameOffset = slash.map { utf8.distance(from: utf8.startIndex, to: $0) + 1 } ?? 0
        var st = stat()
        let rc = relativePath.withCString { fstatat(folder, $0 + nameOffset, &st, AT_SYMLINK_NOFOLLOW) }
        guard rc == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    /// The descriptor of a subfolder, opened once per walk through its real parents.
    private func descriptor(of folder: Substring) -> Int32 {
        if let known = folders[folder] { return known }
        let parent: Int32
        let name: Substring
        if let slash = folder.utf8.lastIndex(of: UInt8(ascii: "/")) {
            parent = descriptor(of: folder[..<slash])
            name = folder[folder.utf8.index(after: slash)...]
        } else {
            parent = root
            name = folder
        }
        let fd = parent < 0 ? -1 : String(name).withCString {
            openat(parent, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        folders[folder] = fd < 0 ? -1 : fd
        return folders[folder]!
    }
}
