#if canImport(Glibc)
import Glibc
#endif

/// The calling thread's blocked signals and the process's dispositions outside ``SignalRelay``.
package enum SignalMask {
    /// A process started by a parent that blocks signals (Foundation's `Process` in a test runner,
    /// some init systems) inherits that mask, and SIGTERM/SIGHUP would never reach the pool's
    /// handlers. The master and workers own their signals, so they start from an empty mask.
    package static func unblockAll() {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
    }

    /// Ignores `signo` unless something already handles or ignores it (a test runner's handler
    /// stays in place).
    package static func ignoreUnlessHandled(_ signo: Int32) {
        var current = sigaction()
        sigaction(signo, nil, &current)
        if unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 0 {  // SIG_DFL
            signal(signo, SIG_IGN)
        }
    }
}
