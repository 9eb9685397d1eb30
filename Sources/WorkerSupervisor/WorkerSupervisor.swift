import Logging

#if canImport(Glibc)
import Glibc
#endif
import Posix

/// The master of a php-fpm-style pool: spawns `workers` copies of a binary with the listening
/// socket on fd 0, restarts the ones that die, drains on SIGTERM and rolls the pool on SIGHUP.
///
/// It knows nothing of FastCGI: a worker is any process that accepts on fd 0 and exits on
/// SIGTERM.
///
/// - SIGTERM/SIGINT (or ``requestStop()``): TERM every worker, wait up to `drainTimeout`, SIGKILL
///   the rest, `run()` returns 0.
/// - SIGHUP (or ``requestReload()``): replace workers one by one: start the new one, TERM the old
///   one, and go on to the next slot once the old one is gone. The pool never drops below its
///   size minus one.
/// - A worker that dies is restarted after a delay that starts at `minRestartDelay` and doubles
///   per quick death (up to `maxRestartDelay`); a worker that lived `stableAfter` resets it. A
///   worker that exits 0 (a `max_requests` recycle) is restarted after `minRestartDelay` without
///   growing the back-off.
///
/// Children are reaped with `waitpid(pid, WNOHANG)` per known pid, never `waitpid(-1)`, so other
/// children of the process (and of the test runner) are left alone.
package final class WorkerSupervisor: Sendable {
    package let configuration: SupervisorConfiguration
    private let logger: Logger
    private let commandRead: Int32
    private let commandWrite: Int32
    private let shared = Locked(Shared())
    private let periodicStop = Locked(false)

    private struct Shared {
        var pids: [pid_t] = []
        var restarts = 0
        var restartDelays: [Duration] = []
    }


    private struct Slot {
        var pid: pid_t? = nil
        var startedAt: ContinuousClock.Instant = .now
        var nextDelay: Duration
        var restartAt: ContinuousClock.Instant? = nil
    }

    private let clock = ContinuousClock()

    package init(configuration: SupervisorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        var fds: [Int32] = [-1, -1]
        if !makePipe(&fds, nonBlocking: true) {
            logger.critical("cannot create the command pipe", metadata: ["errno": "\(errno)"])
        }
        commandRead = fds[0]
        commandWrite = fds[1]
    }

    deinit {
        close(commandRead)
        close(commandWrite)
    }

    /// What SIGTERM/SIGINT do: drain and stop the pool; ``run()`` then returns 0.
    package func requestStop() { send(SIGTERM) }

    /// Installs the SIGTERM/SIGINT/SIGHUP handlers now, before the master opens its socket:
    /// a signal that arrives while it starts up waits on the pipe for ``run()`` instead of
    /// killing the process with the socket and pid file left behind. Idempotent; ``run()``
    /// calls it too.
    @discardableResult
    package static func installSignalHandlers() -> Bool { relaySignals() != nil }

    /// The relay's pipe, polled beside the command pipe.
    private static func relaySignals() -> Int32? { SignalRelay.install([SIGTERM, SIGINT, SIGHUP]) }

    /// What SIGHUP does: replace every worker, one at a time.
    package func requestReload() { send(SIGHUP) }

    /// The pids of the workers currently serving (not those draining after a reload).
    package var workerPIDs: [pid_t] { shared.withLock { $0.pids } }

    /// Workers started to replace one that died (not counting reloads).
    package var restartCount: Int { shared.withLock { $0.restarts } }

    /// Delays chosen for restarts, oldest first (for tests and status views).
    var restartDelays: [Duration] { shared.withLock { $0.restartDelays } }

    /// Requests travel as the signal numbers that mean the same thing.
    private func send(_ signo: Int32) {
        var byte = UInt8(signo)
        _ = write(commandWrite, &byte, 1)
    }

    /// Exits the calling process when the master dies: a thread polls `getppid()` and, once the
    /// parent changed, sends SIGTERM to this process (so a worker's own drain path runs) and
    /// exits with status 1 if it is still alive `grace` later. (`PR_SET_PDEATHSIG` cannot be
    /// requested through posix_spawn, and `prctl` is variadic, so not callable from Swift.)
    package static func exitWhenParentDies(
        logger: Logger, pollInterval: Duration = .milliseconds(250), grace: Duration = .seconds(15)
    ) {
        let parent = getppid()
        _ = startThread {
            while getppid() == parent {
                sleep(for: pollInterval)
            }
            logger.warning("master process is gone: stopping", metadata: ["pid": "\(getpid())", "master": "\(parent)"])
            kill(getpid(), SIGTERM)
            sleep(for: grace)
            exit(1)
        }
    }

    /// Blocks: spawns the pool, restarts dead workers (logged: pid, exit status/signal, delay),
    /// SIGTERM/SIGINT → TERM every worker, wait up to drainTimeout, SIGKILL the rest, return 0;
    /// SIGHUP → replace workers one by one (start the new one, then TERM the old one), pool never
    /// below size-1. Call it once.
    package func run() -> Int32 {
        let signalFD = configuration.handlesSignals ? Self.relaySignals() : nil
        // A stop that arrived while the master started up (its handlers come first, see
        // installSignalHandlers) ends it here, rather than by starting a pool only to drain it.
        // A reload before the pool exists has nothing to replace.
        if (drain(commandRead) + (signalFD.map(drain) ?? [])).contains(where: { Int32($0) == SIGTERM || Int32($0) == SIGINT }) {
            logger.info("stopped before starting the pool")
            return 0
        }

        let periodicThread = startPeriodic()
        defer {
            periodicStop.withLock { $0 = true }
            if let periodicThread { pthread_join(periodicThread, nil) }
        }

        var slots = (0..<configuration.workers).map { _ in Slot(nextDelay: configuration.minRestartDelay) }
        var retiring: [pid_t: ContinuousClock.Instant] = [:]  // old workers draining after a reload
        var rollQueue: [Int] = []
        var rollingOld: pid_t? = nil

        logger.info("supervisor starting", metadata: [
            "pid": "\(getpid())", "workers": "\(configuration.workers)", "executable": "\(configuration.executable)",
        ])
        for index in slots.indices { start(&slots[index], index) }
        publish(slots)

        var stopping = false
        while !stopping {
            // Commands and signals.
            for byte in drain(commandRead) + (signalFD.map(drain) ?? []) {
                switch Int32(byte) {
                case SIGTERM, SIGINT:
                    stopping = true
                case SIGHUP:
                    logger.info("reload: replacing workers one by one")
                    configuration.events?(.reloadStarted)
                    rollQueue = Array(slots.indices)
                default:
                    break
                }
            }
            if stopping { break }

            let now = clock.now

            // Reap.
            for index in slots.indices {
                guard let pid = slots[index].pid, let status = reap(pid) else { continue }
                let lived = now - slots[index].startedAt
                let delay: Duration
                if exitCode(status) == 0 {
                    delay = configuration.minRestartDelay
                } else {
                    if lived >= configuration.stableAfter { slots[index].nextDelay = configuration.minRestartDelay }
                    delay = slots[index].nextDelay
                    slots[index].nextDelay = min(delay * 2, configuration.maxRestartDelay)
                }
                slots[index].pid = nil
                configuration.events?(.workerExited(pid: pid, replaced: true))
                slots[index].restartAt = now + delay
                shared.withLock { $0.restartDelays.append(delay) }
                logger.log(level: exitCode(status) == 0 ? .info : .warning, "worker exited", metadata: [
                    "pid": "\(pid)", "slot": "\(index)", "status": "\(describe(status))",
                    "lived": "\(lived)", "restart_in": "\(delay)",
                ])
            }
            for (pid, _) in retiring {
                guard let status = reap(pid) else { continue }
                retiring[pid] = nil
                if rollingOld == pid { rollingOld = nil }
                configuration.events?(.workerExited(pid: pid, replaced: false))
                logger.info("old worker finished", metadata: ["pid": "\(pid)", "status": "\(describe(status))"])
            }
            for (pid, deadline) in retiring where now >= deadline {
                logger.warning("old worker did not drain in time: SIGKILL", metadata: ["pid": "\(pid)"])
                kill(pid, SIGKILL)
                retiring[pid] = now + .seconds(3600)
            }

            // Restart.
            for index in slots.indices {
                guard slots[index].pid == nil, let at = slots[index].restartAt, now >= at else { continue }
                start(&slots[index], index)
                shared.withLock { $0.restarts += 1 }
            }

            // Roll one slot at a time, and only once the previous old worker is gone.
            if rollingOld == nil, let index = rollQueue.first {
                rollQueue.removeFirst()
                let old = slots[index].pid
                start(&slots[index], index)
                if let old {
                    kill(old, SIGTERM)
                    retiring[old] = now + configuration.drainTimeout
                    rollingOld = old
                }
                if rollQueue.isEmpty { logger.info("reload: last worker replaced") }
            }
            publish(slots)

            // Sleep until something may need doing: a command, a signal, a restart time, or the
            // next reaping round (children are polled, SIGCHLD would need process-wide handling).
            var wait = Duration.milliseconds(25)
            for slot in slots {
                if let at = slot.restartAt { wait = min(wait, max(.zero, at - clock.now)) }
            }
            var fds = [pollfd(fd: commandRead, events: Int16(POLLIN), revents: 0)]
            if let signalFD { fds.append(pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), Int32(wait / .milliseconds(1)))
        }

        return stopAll(pids: slots.compactMap(\.pid) + Array(retiring.keys))
    }

    private func stopAll(pids: [pid_t]) -> Int32 {
        logger.info("stopping: draining workers", metadata: ["workers": "\(pids.count)", "timeout": "\(configuration.drainTimeout)"])
        shared.withLock { $0.pids = [] }
        for pid in pids { kill(pid, SIGTERM) }
        var alive = Set(pids)
        let deadline = clock.now + configuration.drainTimeout
        while !alive.isEmpty, clock.now < deadline {
            for pid in alive where reap(pid) != nil { alive.remove(pid) }
            if !alive.isEmpty { sleep(for: .milliseconds(10)) }
        }
        for pid in alive {
            logger.warning("worker did not drain in time: SIGKILL", metadata: ["pid": "\(pid)"])
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        logger.info("supervisor stopped")
        return 0
    }

    private func publish(_ slots: [Slot]) {
        let pids = slots.compactMap(\.pid)
        shared.withLock { $0.pids = pids }
    }

    /// The wait status if `pid` has ended (and is now reaped), nil while it runs.
    private func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return status }
        // ECHILD: not ours any more (reaped elsewhere); treat as gone rather than wait forever.
        if result < 0 && errno == ECHILD { return -1 }
        return nil
    }

    private func drain(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { bytes += buffer[..<n] } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return bytes
    }

    /// A slot whose spawn failed (bad path, EAGAIN) retries on the back-off schedule.
    private func start(_ slot: inout Slot, _ index: Int) {
        slot.pid = spawn(slot: index)
        slot.startedAt = clock.now
        slot.restartAt = nil
        if slot.pid == nil {
            slot.restartAt = slot.startedAt + slot.nextDelay
            slot.nextDelay = min(slot.nextDelay * 2, configuration.maxRestartDelay)
        }
    }

    private func spawn(slot: Int) -> pid_t? {
        let argv = ([configuration.executable] + configuration.arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        let envStrings = configuration.environment.map { $0.map { strdup("\($0.key)=\($0.value)") } }
        defer { envStrings?.forEach { free($0) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // glibc clears FD_CLOEXEC even when listenFD is already 0.
        posix_spawn_file_actions_adddup2(&actions, configuration.listenFD, 0)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        // Ignored dispositions survive exec; the worker must start with the defaults.
        for signo in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2, SIGCHLD] { sigaddset(&defaults, signo) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var pid: pid_t = 0
        let result: Int32 = (argv + [nil]).withUnsafeBufferPointer { args in
            let argvPointer = UnsafeMutablePointer(mutating: args.baseAddress!)
            if let envStrings {
                return (envStrings + [nil]).withUnsafeBufferPointer { env in
                    posix_spawnp(&pid, configuration.executable, &actions, &attributes, argvPointer,
                                 UnsafeMutablePointer(mutating: env.baseAddress!))
                }
            }
            return posix_spawnp(&pid, configuration.executable, &actions, &attributes, argvPointer, environ)
        }
        guard result == 0 else {
            logger.error("cannot start worker", metadata: [
                "slot": "\(slot)", "executable": "\(configuration.executable)", "error": "\(String(cString: strerror(result)))",
            ])
            return nil
        }
        logger.info("worker started", metadata: ["pid": "\(pid)", "slot": "\(slot)"])
        configuration.events?(.workerStarted(pid: pid))
        return pid
    }

    private func startPeriodic() -> pthread_t? {
        guard let periodic = configuration.periodic else { return nil }
        let interval = configuration.periodicInterval
        let stop = periodicStop
        return startThread {
            var next = ContinuousClock.now + interval
            while !stop.withLock({ $0 }) {
                if ContinuousClock.now >= next {
                    periodic()
                    next = ContinuousClock.now + interval
                }
                sleep(for: .milliseconds(50))
            }
        }
    }
}

private func exitCode(_ status: Int32) -> Int32? {
    (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil
}

private func describe(_ status: Int32) -> String {
    if status == -1 { return "unknown (reaped elsewhere)" }
    if let code = exitCode(status) { return "exit \(code)" }
    let signo = status & 0x7f
    return "signal \(signo) (\(String(cString: strsignal(signo))))"
}

func sleep(for duration: Duration) {
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) < 0 && errno == EINTR { request = remaining }
}
