#if canImport(Glibc)
import Glibc
#endif
import Posix

/// php-fpm's `request_terminate_timeout` for a threaded worker: remembers when each accept
/// thread's current request started, and a thread of its own reports the ones past the deadline.
///
/// A thread stuck in a handler cannot be cancelled safely (it may hold locks, a database
/// transaction or half-written files), so the only remedy is to end the process: the master
/// replaces it, and the lifecycle lease of the interrupted operation, whose owner pid is then
/// dead, is taken over and rolled back by the next caller.
final class RequestWatchdog: Sendable {
    struct Entry: Sendable {
        var started: ContinuousClock.Instant
        var method: String
        var uri: String
        var requestID: String
    }

    let timeout: Duration
    private let slots: Locked<[Entry?]>
    private let stopped = Locked(false)

    init(timeout: Duration, threads: Int) {
        self.timeout = timeout
        slots = Locked(Array(repeating: nil, count: threads))
    }

    func begin(slot: Int, params: [String: String]) {
        let entry = Entry(started: .now, method: params["REQUEST_METHOD"] ?? "",
                          uri: FastCGIWorker.pathOnly(params["REQUEST_URI"] ?? ""), requestID: params["REQUEST_ID"] ?? "")
        slots.withLock { $0[slot] = entry }
    }

    func end(slot: Int) {
        slots.withLock { $0[slot] = nil }
    }

    /// Requests in flight, oldest first.
    var inFlight: [Entry] {
        slots.withLock { $0.compactMap { $0 } }.sorted { $0.started < $1.started }
    }

    /// Polls often enough that a request is reported at most a tenth of the timeout (at most one
    /// second) after its deadline. `onOverdue` runs on the watchdog's thread with the late
    /// requests, once: the watchdog stops after it.
    func start(onOverdue: @escaping @Sendable ([Entry]) -> Void) -> pthread_t? {
        let interval = min(max(timeout / 10, .milliseconds(10)), .seconds(1))
        return startThread { [self] in
            while !stopped.withLock({ $0 }) {
                sleepFor(interval)
                let now = ContinuousClock.now
                let late = inFlight.filter { now - $0.started > timeout }
                if !late.isEmpty {
                    onOverdue(late)
                    return
                }
            }
        }
    }

    func stop(_ thread: pthread_t) {
        stopped.withLock { $0 = true }
        pthread_join(thread, nil)
    }
}

func sleepFor(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) < 0 && errno == EINTR { request = remaining }
}
