#if canImport(Glibc)
import Glibc
#endif

extension FileTree {
    /// Removes `path` and everything below it, never following a link: a link (at `path` or
    /// anywhere inside) is removed itself, never its target. The folder holding `path` must be a
    /// real folder (``requireRealParent(_:trusting:)``), or a symlink planted as `plugins/{user}`
    /// would aim the removal outside the data directory; `trusted` names a folder the caller
    /// vouches for (an operator's data directory or catalog root, which may be a link).
    ///
    /// Below `path` every step is relative to an open folder, opened with `O_NOFOLLOW`: a folder
    /// swapped for a link while the walk runs is unlinked, not entered. Folders without write or
    /// search permission (a user's chmod) are given 0700 first, and names that are not UTF-8 go
    /// too. An entry already gone (a concurrent sweep) is not a failure; a missing `path` neither.
    package static func removeTree(_ path: String, trusting trusted: String? = nil) throws(SystemCallError) {
        try requireRealParent(path, trusting: trusted)
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw SystemCallError("lstat", path)
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            if unlink(path) != 0 && errno != ENOENT { throw SystemCallError("unlink", path) }
            return
        }
        let fd = openFolder(AT_FDCWD, path)
        if fd < 0 {
            switch errno {
            case ENOENT: return
            case ELOOP, ENOTDIR:  // swapped for a link or a file since the lstat
                if unlink(path) != 0 && errno != ENOENT { throw SystemCallError("unlink", path) }
                return
            default: throw SystemCallError("opendir", path)
            }
        }
        try removeEntries(of: fd, path: path)
        if rmdir(path) != 0 && errno != ENOENT { throw SystemCallError("rmdir", path) }
    }

    /// Opens the folder `name` of `parent` without following a link, made writable and searchable
    /// by its owner first when it cannot be opened as it is.
    private static func openFolder(_ parent: Int32, _ name: UnsafePointer<CChar>) -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        var fd = openat(parent, name, flags)
        if fd < 0 && errno == EACCES {
            // AT_SYMLINK_NOFOLLOW: a link in its place is left alone (the call fails on one).
            _ = fchmodat(parent, name, 0o700, AT_SYMLINK_NOFOLLOW)
            fd = openat(parent, name, flags)
        }
        // Write and search permission, so its entries can be unlinked.
        if fd >= 0 { _ = fchmod(fd, 0o700) }
        return fd
    }

    /// Removes every entry of the open folder `fd` (closed on return); `path` names it in errors.
    private static func removeEntries(of fd: Int32, path: String) throws(SystemCallError) {
        guard let dir = fdopendir(fd) else {
            let failure = SystemCallError("opendir", path)
            close(fd)
            throw failure
        }
        defer { closedir(dir) }
        let folder = dirfd(dir)
        // Listed whole before anything is removed: readdir's view of a folder that changes under
        // it is unspecified.
        for name in rawNames(dir) { try removeEntry(name, of: folder, path: path) }
    }

    private static func removeEntry(_ name: UnsafePointer<CChar>, of folder: Int32, path: String) throws(SystemCallError) {
        func here() -> String { path + "/" + String(decoding: UnsafeRawBufferPointer(start: name, count: strlen(name)), as: UTF8.self) }
        var st = stat()
        guard fstatat(folder, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw SystemCallError("lstat", here())
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            let child = openFolder(folder, name)
            if child >= 0 {
                try removeEntries(of: child, path: here())
                if unlinkat(folder, name, AT_REMOVEDIR) != 0 && errno != ENOENT { throw SystemCallError("rmdir", here()) }
                return
            }
            switch errno {
            case ENOENT: return
            case ELOOP, ENOTDIR: break  // swapped for a link or a file: unlinked below
            default: throw SystemCallError("opendir", here())
            }
        }
        if unlinkat(folder, name, 0) != 0 && errno != ENOENT { throw SystemCallError("unlink", here()) }
    }
}
