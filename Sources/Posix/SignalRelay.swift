#if canImport(Glibc)
import Glibc
#endif

// Written once, before any handler that reads it is installed.
nonisolated(unsafe) private var relayWriteFD: Int32 = -1

/// Turns signals into bytes on a pipe (the self-pipe trick), read by an ordinary thread that may
/// then take locks and log, which a signal handler must not. One pipe per process; each byte
/// read from it is a signal number.
///
/// Two ways to consume it, one per process: the pool's master polls ``install(_:ignoring:)``'s
/// descriptor beside its own; a worker hands a callback to ``startWatching(_:)``, which runs it
/// on a thread of its own.
///
/// The handlers use SA_RESTART: a signal may land on any thread, including one reading a request
/// body or writing a response, and those calls must resume, not fail with EINTR. posix_spawn
/// resets caught signals to their defaults in a child, so workers never inherit a master's.
package enum SignalRelay {
    /// Both ends non-blocking: a full pipe drops the byte rather than block the handler, and the
    /// master drains the read end without blocking.
    private static let pipeFDs: (read: Int32, write: Int32) = {
        var fds: [Int32] = [-1, -1]
        guard makePipe(&fds, nonBlocking: true) else { return (-1, -1) }
        relayWriteFD = fds[1]
        return (fds[0], fds[1])
    }()

    /// Installs the relay's handler for `signals` and ignores `ignored` (idempotent: installing
    /// again changes nothing). Returns the pipe's read end, nil when no pipe could be made.
    /// Signals that arrive before anyone reads wait in the pipe.
    @discardableResult
    package static func install(_ signals: [Int32], ignoring ignored: [Int32] = []) -> Int32? {
        guard pipeFDs.read >= 0 else { return nil }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signo in
            let saved = errno
            var byte = UInt8(truncatingIfNeeded: signo)
            _ = write(relayWriteFD, &byte, 1)
            errno = saved
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        for signo in signals { sigaction(signo, &action, nil) }
        for signo in ignored { signal(signo, SIG_IGN) }
        return pipeFDs.read
    }

    /// Starts a thread that calls `onSignal` for each signal relayed (installed beforehand with
    /// ``install(_:ignoring:)``) until ``stopWatching(_:)``; nil without a pipe or a thread.
    package static func startWatching(_ onSignal: @escaping @Sendable (Int32) -> Void) -> pthread_t? {
        guard pipeFDs.read >= 0 else { return nil }
        let readFD = pipeFDs.read
        return startThread {
            var byte: UInt8 = 0
            while true {
                var ready = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
                if poll(&ready, 1, -1) < 0 && errno != EINTR { return }
                let n = read(readFD, &byte, 1)
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if n <= 0 || byte == 0 { return }
                onSignal(Int32(byte))
            }
        }
    }

    /// Ends a watcher thread (a 0 byte, which no signal is) and joins it.
    package static func stopWatching(_ thread: pthread_t) {
        var zero: UInt8 = 0
        _ = write(pipeFDs.write, &zero, 1)
        pthread_join(thread, nil)
    }
}
