#if canImport(Glibc)
import Glibc
#endif
import ThreadPrimitives

// Written once, before any handler that reads it is installed.
nonisolated(unsafe) private var relayWriteFD: Int32 = -1

/// Turns SIGTERM/SIGINT into bytes on a pipe (the self-pipe trick), read by an ordinary thread
/// that may then take locks and log, which a signal handler must not.
///
/// The handlers use SA_RESTART: the signal may land on any thread, including one reading a
/// request body or writing a response, and those calls must resume, not fail with EINTR.
/// Installing them before `FCGX_Init` also keeps libfcgi from installing its own, whose
/// shutdown flag makes every later accept fail.
enum SignalRelay {
    private static let pipeFDs: (read: Int32, write: Int32) = {
        var fds: [Int32] = [-1, -1]
        guard makePipe(&fds, nonBlocking: false) else { return (-1, -1) }
        // A full pipe must drop the byte, not block the handler.
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        relayWriteFD = fds[1]
        return (fds[0], fds[1])
    }()

    private static let installed: Bool = {
        guard pipeFDs.read >= 0 else { return false }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signo in
            let saved = errno
            var byte = UInt8(truncatingIfNeeded: signo)
            _ = write(relayWriteFD, &byte, 1)
            errno = saved
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        // libfcgi would otherwise make SIGUSR1 a shutdown flag that breaks every later accept.
        signal(SIGUSR1, SIG_IGN)
        return true
    }()

    /// Installs the handlers (once per process); signals that arrive before a watcher starts
    /// wait in the pipe.
    static func install() -> Bool { installed }

    /// Installs the handlers (once per process) and starts a thread that calls `onSignal` for
    /// each signal until ``stopWatching(_:)``.
    static func startWatching(_ onSignal: @escaping @Sendable (Int32) -> Void) -> pthread_t? {
        guard installed else { return nil }
        let readFD = pipeFDs.read
        return startThread {
            var byte: UInt8 = 0
            while true {
                let n = read(readFD, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 || byte == 0 { return }
                onSignal(Int32(byte))
            }
        }
    }

    static func stopWatching(_ thread: pthread_t) {
        var zero: UInt8 = 0
        _ = write(pipeFDs.write, &zero, 1)
        pthread_join(thread, nil)
    }
}
