#if canImport(Glibc)
import Glibc
#endif

/// The file operations every module shares: `lstat`-based (a symbolic link is reported as one,
/// never followed), errno kept in ``SystemCallError``. Foundation's FileManager hides the file
/// kinds and raw names these checks need, follows links in places, and is slower on Linux.
package enum FileTree {}

/// What `lstat` (or `stat`, when asked) says of a path.
package struct FileStatus: Sendable {
    package enum Kind: Sendable, Equatable {
        case missing, regular, directory, symlink, fifo, socket, characterDevice, blockDevice, unknown

        /// For messages: "a FIFO", "a character device", …
        package var article: String {
            switch self {
            case .missing: "missing"
            case .regular: "a regular file"
            case .directory: "a folder"
            case .symlink: "a symbolic link"
            case .fifo: "a FIFO"
            case .socket: "a socket"
            case .characterDevice: "a character device"
            case .blockDevice: "a block device"
            case .unknown: "a special file"
            }
        }

        init(mode: mode_t) {
            switch mode & S_IFMT {
            case S_IFREG: self = .regular
            case S_IFDIR: self = .directory
            case S_IFLNK: self = .symlink
            case S_IFIFO: self = .fifo
            case S_IFSOCK: self = .socket
            case S_IFCHR: self = .characterDevice
            case S_IFBLK: self = .blockDevice
            default: self = .unknown
            }
        }
    }

    package var kind: Kind
    package var size: Int64
    /// Number of names (hard links); a folder's counts its subfolders plus two on most file systems.
    package var links: Int
    /// Permission bits (`st_mode & 0o7777`).
    package var permissions: mode_t
    package var inode: UInt64
    package var modified: timespec
    package var changed: timespec

    static let missing = FileStatus(kind: .missing, size: 0, links: 0, permissions: 0, inode: 0,
                                    modified: timespec(), changed: timespec())

    init(_ st: stat) {
        kind = Kind(mode: st.st_mode)
        size = Int64(st.st_size)
        links = Int(st.st_nlink)
        permissions = st.st_mode & 0o7777
        inode = UInt64(st.st_ino)
        modified = st.st_mtim
        changed = st.st_ctim
    }

    private init(kind: Kind, size: Int64, links: Int, permissions: mode_t, inode: UInt64, modified: timespec, changed: timespec) {
        (self.kind, self.size, self.links, self.permissions, self.inode, self.modified, self.changed)
            = (kind, size, links, permissions, inode, modified, changed)
    }

    /// Inode, size, mtime and ctime with nanoseconds: enough to notice a change cheaply; "-" when missing.
    package var stamp: String {
        kind == .missing ? "-" : "\(inode):\(size):\(modified.tv_sec).\(modified.tv_nsec):\(changed.tv_sec).\(changed.tv_nsec)"
    }
}

extension FileTree {
    /// `lstat` of `path` (`stat` when `followingLinks`: for paths an operator gives, such as a
    /// catalog root or a publish source); ``FileStatus/Kind/missing`` when it cannot be read.
    package static func status(_ path: String, followingLinks: Bool = false) -> FileStatus {
        var st = stat()
        let rc = followingLinks ? stat(path, &st) : lstat(path, &st)
        return rc == 0 ? FileStatus(st) : .missing
    }

    package static func kind(_ path: String) -> FileStatus.Kind {
        status(path).kind
    }

    package static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// A real folder, not a link to one.
    package static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Size of a regular file, without following a link at `path` itself; nil otherwise.
    package static func regularFileSize(_ path: String) -> Int64? {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }
}
