#if canImport(Glibc)
import Glibc
#endif
import ThreadPrimitives

// Written once, before any handler that reads it is installed.
nonisolated(unsafe) private var relayWriteFD: Int32 = -1

/// Turns SIGTERM/SIGINT/SIGHUP into bytes on a pipe (the self-pipe trick), read by an ordinary thread
/// that may then take locks and log, which a signal handler must not.
///
/// posix_spawn resets caught signals to their defaults in the child, so workers never inherit
/// these handlers.
enum SignalRelay {
    private static let pipeFDs: (read: Int32, write: Int32) = {
        var fds: [Int32] = [-1, -1]
        guard makePipe(&fds, nonBlocking: true) else { return (-1, -1) }
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
        sigaction(SIGHUP, &action, nil)
        return true
    }()

        /// Installs the handlers (once per process) and returns the pipe to poll: each byte read
    /// from it is a signal number.
    static func install() -> Int32? {
        installed ? pipeFDs.read : nil
    }
}
