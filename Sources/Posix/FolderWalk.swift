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
    /// Subfolders opened so far (relative path bytes, no trailing `/`) and their descriptors, -1
    /// when not a real folder. A plugin has a handful: a list searched from the latest beats a
    /// dictionary, whose growth and hashing were 5 % of a status request (callgrind).
    private var folders: [(path: [UInt8], fd: Int32)] = []

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
        for folder in folders where folder.fd >= 0 { close(folder.fd) }
    }

    /// Size of the regular file at `relativePath` (no `..`, no leading `/`), or nil when it or
    /// any folder on its way is missing, a link, or not what it should be.
    package func regularFileSize(_ relativePath: String) -> Int64? {
        // The path's own NUL-terminated bytes: the name is a suffix of them, no copy needed.
        relativePath.withCString { path -> Int64? in
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(path).assumingMemoryBound(to: UInt8.self), count: strlen(path))
            let nameStart = (bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
            let folder = nameStart == 0 ? root : descriptor(of: UnsafeBufferPointer(rebasing: bytes[..<(nameStart - 1)]))
            guard folder >= 0 else { return nil }
            var st = stat()
            guard fstatat(folder, path + nameStart, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                return nil
            }
            return Int64(st.st_size)
        }
    }

    /// The descriptor of a subfolder, opened once per walk through its real parents.
    private func descriptor(of folder: UnsafeBufferPointer<UInt8>) -> Int32 {
        for known in folders.reversed() where known.path.count == folder.count {
            if folder.isEmpty || memcmp(folder.baseAddress!, known.path, folder.count) == 0 { return known.fd }
        }
        let slash = folder.lastIndex(of: UInt8(ascii: "/"))
        let parent = slash.map { descriptor(of: UnsafeBufferPointer(rebasing: folder[..<$0])) } ?? root
        let name = Array(folder[(slash.map { $0 + 1 } ?? 0)...]) + [0]
        let fd = parent < 0 ? -1 : name.withUnsafeBufferPointer { name in
            openat(parent, UnsafeRawPointer(name.baseAddress!).assumingMemoryBound(to: CChar.self),
                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        folders.append((Array(folder), fd < 0 ? -1 : fd))
        return fd < 0 ? -1 : fd
    }
}
