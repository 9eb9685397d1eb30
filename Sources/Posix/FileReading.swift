#if canImport(Glibc)
import Glibc
#endif

extension FileTree {
    package enum ReadFailure: Error, Sendable, Equatable { case cannotOpen, notRegular, readError, tooLarge }

    /// Reads a regular file chunk by chunk into `body` and returns its size. Opened with
    /// `O_NOFOLLOW` and checked on the descriptor, so a link or a special file put in its place
    /// since it was listed is refused without a race. More than `limit` bytes: `.tooLarge`.
    package static func readRegularFile(_ path: String, limit: Int64 = .max,
                                        _ body: (UnsafeRawBufferPointer) -> Void) throws(ReadFailure) -> Int64 {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { throw .notRegular }
        var total: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .readError
            }
            if count == 0 { return total }
            total += Int64(count)
            if total > limit { throw .tooLarge }
            buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }
}
