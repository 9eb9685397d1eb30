import Foundation

/// A process started by a parent that blocks signals (Foundation's `Process` in a test runner,
/// some init systems) inherits that mask, and SIGTERM/SIGHUP would never reach the pool's handlers.
/// The master and workers own their signals, so they start from an empty mask.
enum SignalMask {
    static func unblockAll() {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
    }
}
