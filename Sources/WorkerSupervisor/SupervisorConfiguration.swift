#if canImport(Glibc)
import Glibc
#endif

/// What the master runs and how it keeps the pool alive.
package struct SupervisorConfiguration: Sendable {
    /// Worker binary path (searched in `PATH` when it has no slash).
    package var executable: String
    /// Worker argv after argv[0].
    package var arguments: [String]
    /// Pool size.
    package var workers: Int
    /// dup2'ed onto fd 0 in every worker (posix_spawn file actions; never fork() in a threaded
    /// Swift process).
    package var listenFD: Int32
    /// After SIGTERM, SIGKILL stragglers; also how long an old worker may drain during a reload.
    package var drainTimeout: Duration = .seconds(10)
    /// First restart delay after a worker dies; doubled per quick death up to `maxRestartDelay`.
    package var minRestartDelay: Duration = .milliseconds(100)
    package var maxRestartDelay: Duration = .seconds(5)
    /// A worker that lived this long resets its slot's back-off: its death was not a start-up
    /// crash loop (bad configuration, unreadable data), which is what the back-off is for. Short,
    /// so that serving workers killed again and again (OOM killer, an operator, a fault test) are
    /// each replaced after `minRestartDelay`, not after a delay grown by earlier kills.
    package var stableAfter: Duration = .seconds(1)
    /// Master housekeeping (WAL checkpoints), run on its own thread every `periodicInterval`.
    package var periodic: (@Sendable () -> Void)? = nil
    package var periodicInterval: Duration = .seconds(30)
    /// The workers' environment; nil inherits the master's.
    package var environment: [String: String]? = nil
    /// Install SIGTERM/SIGINT/SIGHUP handlers; turn off when the process owns its signals (tests).
    package var handlesSignals: Bool = true
    /// Told of workers starting and ending and of reloads (the pool's metrics), on the master's loop.
    package var events: (@Sendable (SupervisorEvent) -> Void)? = nil

    package init(
        executable: String, arguments: [String] = [],
        workers: Int = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), listenFD: Int32,
        drainTimeout: Duration = .seconds(10),
        minRestartDelay: Duration = .milliseconds(100), maxRestartDelay: Duration = .seconds(5),
        stableAfter: Duration = .seconds(1),
        periodic: (@Sendable () -> Void)? = nil, periodicInterval: Duration = .seconds(30),
        environment: [String: String]? = nil, handlesSignals: Bool = true
    ) {
        self.executable = executable
        self.arguments = arguments
        self.workers = max(1, workers)
        self.listenFD = listenFD
        self.drainTimeout = drainTimeout
        self.minRestartDelay = minRestartDelay
        self.maxRestartDelay = max(maxRestartDelay, minRestartDelay)
        self.stableAfter = stableAfter
        self.periodic = periodic
        self.periodicInterval = periodicInterval
        self.environment = environment
        self.handlesSignals = handlesSignals
    }
}

/// What happened to the pool, for whoever keeps its figures.
package enum SupervisorEvent: Sendable, Equatable {
    case workerStarted(pid: Int32)
    /// `replaced`: the master starts another in its slot (a crash, a timeout, a recycle); false for
    /// an old worker retired by a reload.
    case workerExited(pid: Int32, replaced: Bool)
    case reloadStarted
}
