// Plain threads for the transport and the supervisor (no Swift concurrency: both block in
// system calls, which must never happen on a cooperative thread).
#if canImport(Glibc)
import Glibc
#endif

private final class ThreadBody {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Starts a pthread running `body`; nil when the system refuses one.
package func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run()
        return nil
    }, box)
    guard rc == 0 else {
        Unmanaged<ThreadBody>.fromOpaque(box).release()
        return nil
    }
    return thread
}

/// A pipe, both ends close-on-exec (and non-blocking when asked). `pipe2` is not exported to
/// Swift without _GNU_SOURCE: the flags are set right after `pipe`.
package func makePipe(_ fds: inout [Int32], nonBlocking: Bool) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    for fd in fds {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }
    return true
}
