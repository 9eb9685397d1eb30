#if canImport(Glibc)
import Glibc
#endif
import CPosix

/// What a copy moved, and how (tests and benchmarks check the path taken).
package struct FileCopy: Sendable, Equatable {
    package enum Method: String, Sendable {
        /// ioctl(FICLONE): the copy shares the source's extents until either is written (XFS
        /// with reflink=1, btrfs); nothing is read or written.
        case reflink
        /// copy_file_range(2): the kernel copies, no bytes pass through this process.
        case copyFileRange = "copy_file_range"
        /// read(2)/write(2) through a buffer: every file system, and any file the others refuse.
        case readWrite = "read/write"
    }

    /// Bytes in the copy.
    package let size: Int64
    package let method: Method
}

extension FileTree {
    /// Copies the regular file `from` to the new file `to` (never through a link at either end,
    /// never over an existing name) with exactly `mode`, and fsyncs it before returning. The
    /// folder holding `to` is the caller's to sync once its entries are all there.
    @discardableResult
    package static func copyFile(from: String, to: String, mode: mode_t) throws(SystemCallError) -> FileCopy {
        let (copy, output) = try copyOpen(from: from, to: to, mode: mode)
        defer { close(output) }
        if fsync(output) != 0 { throw SystemCallError("fsync", to) }
        return copy
    }

    /// The same, with the fsync left to `batch` (which owns the descriptor from here on): every
    /// file is still synced before `batch.syncAll()` returns.
    @discardableResult
    package static func copyFile(from: String, to: String, mode: mode_t, syncingIn batch: inout SyncBatch) throws(SystemCallError) -> FileCopy {
        let (copy, output) = try copyOpen(from: from, to: to, mode: mode)
        try batch.add(output, path: to)
        return copy
    }

    /// Copies into a new file and returns it open, mode set, not yet synced.
    private static func copyOpen(from: String, to: String, mode: mode_t) throws(SystemCallError) -> (FileCopy, Int32) {
        let input = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard input >= 0 else { throw SystemCallError("open", from) }
        defer { close(input) }
        let output = try createFile(to, mode: mode)
        do throws(SystemCallError) {
            let copy = try copyContents(from: input, to: output, paths: (from, to))
            // O_CREAT obeys the umask; the copy must have exactly `mode` (a secret's 0600 above all).
            if fchmod(output, mode) != 0 { throw SystemCallError("chmod", to) }
            return (copy, output)
        } catch {
            close(output)
            throw error
        }
    }

    /// Copies every byte of `input` (read from its start) into the empty file `output`, the
    /// cheapest way the file system allows: a reflink, else copy_file_range(2), else read/write.
    /// A file larger than `limit` is not cloned, and the copy stops once it holds more than
    /// `limit` bytes (the caller refuses such a size). `paths` name the ends in errors.
    package static func copyContents(from input: Int32, to output: Int32, limit: Int64 = .max,
                                     paths: (from: String, to: String)) throws(SystemCallError) -> FileCopy {
        var st = stat()
        guard fstat(input, &st) == 0 else { throw SystemCallError("stat", paths.from) }
        let declared = Int64(st.st_size)
        // Any refusal (EOPNOTSUPP on ext4 and tmpfs, EXDEV across file systems) leaves `output`
        // untouched, and the next way is tried.
        if declared <= limit, cposix_clone_file(output, input) == 0 {
            guard fstat(output, &st) == 0 else { throw SystemCallError("stat", paths.to) }
            return FileCopy(size: Int64(st.st_size), method: .reflink)
        }
        var total: Int64 = 0
        while total <= limit {
            let wanted = Int(min(Int64(1 << 30), limit == .max ? Int64(1 << 30) : limit - total + 1))
            let count = cposix_copy_file_range(input, output, wanted)
            if count > 0 { total += Int64(count); continue }
            if count == 0 {
                // End of file; or a file system that reports 0 for a file it cannot copy
                // (/proc-like), told apart by the size it declared: read/write finishes it.
                if total >= declared { return FileCopy(size: total, method: .copyFileRange) }
                break
            }
            if errno == EINTR { continue }
            if [ENOSPC, EDQUOT, EIO, EFBIG].contains(errno) { throw SystemCallError("write", paths.to) }
            break  // EXDEV, EINVAL, ENOSYS, EOPNOTSUPP…: not this way; both offsets stay where the copy got to
        }
        if total > limit { return FileCopy(size: total, method: .copyFileRange) }
        total += try readWrite(from: input, to: output, limit: limit - total, paths: paths)
        return FileCopy(size: total, method: .readWrite)
    }

    /// The portable copy, from both descriptors' current offsets; returns the bytes it moved.
    private static func readWrite(from input: Int32, to output: Int32, limit: Int64,
                                  paths: (from: String, to: String)) throws(SystemCallError) -> Int64 {
        var buffer = [UInt8](repeating: 0, count: 128 * 1024)
        var total: Int64 = 0
        while total <= limit {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("read", paths.from)
            }
            if count == 0 { break }
            let failure = buffer.withUnsafeBytes { raw -> SystemCallError? in
                do throws(SystemCallError) { try writeAll(output, UnsafeRawBufferPointer(rebasing: raw[0..<count]), path: paths.to) } catch { return error }
                return nil
            }
            if let failure { throw failure }
            total += Int64(count)
        }
        return total
    }
}

/// Written files not yet fsynced, kept open and synced in batches: an fsync right after each
/// write made the disk flush once per file (66 ms for a 50-file package here, 22 ms batched).
/// The owner calls ``syncAll()`` before anything may rely on the files, and ``closeAll()``
/// (a `defer`) on every path.
package struct SyncBatch {
    /// Open descriptors stay well under the process limit however many files are copied.
    package static let size = 64
    private var open: [(fd: Int32, path: String)] = []

    package init() {}

    /// Takes `fd` over (closed by the next sync or ``closeAll()``); syncs the batch once full.
    package mutating func add(_ fd: Int32, path: String) throws(SystemCallError) {
        open.append((fd, path))
        if open.count >= Self.size { try syncAll() }
    }

    package mutating func syncAll() throws(SystemCallError) {
        defer { closeAll() }
        for file in open where fsync(file.fd) != 0 { throw SystemCallError("fsync", file.path) }
    }

    package mutating func closeAll() {
        for file in open { close(file.fd) }
        open.removeAll()
    }
}
