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
    /// when not a real folder. A plugin usually has a handful: the latest first, then the list
    /// (a dictionary's growth and hashing were 5 % of a status request, callgrind); a wide tree
    /// switches to a dictionary so a lookup never walks thousands of entries.
    private var folders: [(path: [UInt8], fd: Int32)] = []
    private var index: [[UInt8]: Int32]?
    private static let listLimit = 16

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
            let nameLength = bytes.count - nameStart
            guard folder >= 0, nameLength > 0,
                  !(path[nameStart] == 0x2E && (nameLength == 1 || (nameLength == 2 && path[nameStart + 1] == 0x2E)))
            else { return nil }
            var st = stat()
            guard fstatat(folder, path + nameStart, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                return nil
            }
            return Int64(st.st_size)
        }
    }

    /// The descriptor of a subfolder, opened once per walk through its real parents.
    private func descriptor(of folder: UnsafeBufferPointer<UInt8>) -> Int32 {
        if let known = known(folder) { return known }
        let slash = folder.lastIndex(of: UInt8(ascii: "/"))
        let parent = slash.map { descriptor(of: UnsafeBufferPointer(rebasing: folder[..<$0])) } ?? root
        let name = Array(folder[(slash.map { $0 + 1 } ?? 0)...])
        // Defence in depth (stored paths are checked on the way in): no empty, `.` or `..` step.
        let plain = !name.isEmpty && name != [UInt8(ascii: ".")] && name != [UInt8(ascii: "."), UInt8(ascii: ".")]
        let fd = parent < 0 || !plain ? -1 : (name + [0]).withUnsafeBufferPointer { name in
            openat(parent, UnsafeRawPointer(name.baseAddress!).assumingMemoryBound(to: CChar.self),
                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        let entry = (path: Array(folder), fd: fd < 0 ? Int32(-1) : fd)
        folders.append(entry)
        if index != nil {
            index![entry.path] = entry.fd
        } else if folders.count > Self.listLimit {
            index = Dictionary(folders.map { ($0.path, $0.fd) }, uniquingKeysWith: { first, _ in first })
        }
        return entry.fd
    }

    private func known(_ folder: UnsafeBufferPointer<UInt8>) -> Int32? {
        func same(_ path: [UInt8]) -> Bool {
            path.count == folder.count && (folder.isEmpty || memcmp(folder.baseAddress!, path, folder.count) == 0)
        }
        if let last = folders.last, same(last.path) { return last.fd }
        if let index { return index[Array(folder)] }
        return folders.last { same($0.path) }?.fd
    }
}
