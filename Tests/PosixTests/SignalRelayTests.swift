import Foundation
import Posix
import Testing

/// The relay's watcher thread gets each signal as a number, and stops when asked. (The master's
/// polling and the worker's drain are covered by WorkerSupervisorTests and FastCGITransportTests.)
@Suite("signal relay", .timeLimit(.minutes(10)))
struct SignalRelayTests {
    @Test("a signal sent to the process reaches the watcher; SIGUSR1 is ignored when asked")
    func watcherGetsSignals() throws {
        #expect(SignalRelay.install([SIGUSR2], ignoring: [SIGUSR1]) != nil)
        let seen = Locked<[Int32]>([])
        let thread = try #require(SignalRelay.startWatching { signo in seen.withLock { $0.append(signo) } })
        kill(getpid(), SIGUSR1)  // ignored: the test process lives on
        kill(getpid(), SIGUSR2)
        let deadline = Date().addingTimeInterval(10)
        while seen.withLock({ $0.isEmpty }) && Date() < deadline { usleep(10_000) }
        SignalRelay.stopWatching(thread)
        #expect(seen.withLock { $0 } == [SIGUSR2])
    }
}
