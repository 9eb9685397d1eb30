import Foundation
import Logging
import Posix
import Testing
@testable import WorkerSupervisor

/// A supervisor of `/bin/sh` fake workers running on a background thread.
final class RunningSupervisor: @unchecked Sendable {
    let directory: URL
    let supervisor: WorkerSupervisor
    private let finished = DispatchSemaphore(value: 0)
    private let exitCode = Locked<Int32?>(nil)

    /// `script` runs as `sh -c script`; `$PIDS` names a file each worker may append its pid to.
    init(
        script: String, workers: Int = 3, drainTimeout: Duration = .seconds(2),
        minRestartDelay: Duration = .milliseconds(100), maxRestartDelay: Duration = .seconds(5),
        stableAfter: Duration? = nil, executable: String = "/bin/sh",
        periodic: (@Sendable () -> Void)? = nil, periodicInterval: Duration = .seconds(30),
        handlesSignals: Bool = false
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sup-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "test.supervisor")
        logger.logLevel = .critical
        var environment = ProcessInfo.processInfo.environment
        environment["PIDS"] = directory.appendingPathComponent("pids").path
        supervisor = WorkerSupervisor(
            configuration: .init(
                executable: executable, arguments: ["-c", script], workers: workers, listenFD: 2,
                drainTimeout: drainTimeout, minRestartDelay: minRestartDelay, maxRestartDelay: maxRestartDelay,
                stableAfter: stableAfter ?? SupervisorConfiguration(executable: "", listenFD: -1).stableAfter,
                periodic: periodic, periodicInterval: periodicInterval,
                environment: environment, handlesSignals: handlesSignals),
            logger: logger)
        let supervisor = self.supervisor, exitCode = self.exitCode, finished = self.finished
        Thread {
            let code = supervisor.run()
            exitCode.withLock { $0 = code }
            finished.signal()
        }.start()
    }

    func waitForExit(timeout: Double) -> Int32? {
        guard finished.wait(timeout: .now() + timeout) == .success else { return nil }
        finished.signal()
        return exitCode.withLock { $0 }
    }

    /// Polls until `condition` holds; false on timeout.
    func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    var livePIDs: [pid_t] { supervisor.workerPIDs.filter(isAlive) }

    func shutdown() {
        supervisor.requestStop()
        _ = waitForExit(timeout: 60)
        try? FileManager.default.removeItem(at: directory)
    }
}

func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }

/// Still a process of ours that has not exited (a zombie counts as gone).
func isRunning(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
    guard let close = stat.lastIndex(of: ")") else { return false }
    return !stat[close...].hasPrefix(") Z")
}

let sleeper = "exec sleep 1000"

@Suite("WorkerSupervisor", .timeLimit(.minutes(10)))
struct WorkerSupervisorTests {
    @Test func poolReachesItsSizeAndStops() throws {
        let running = try RunningSupervisor(script: sleeper, workers: 3)
        defer { running.shutdown() }
        #expect(running.eventually(within: 60) { running.livePIDs.count == 3 })
        let pids = running.supervisor.workerPIDs
        #expect(Set(pids).count == 3)

        running.supervisor.requestStop()
        #expect(running.waitForExit(timeout: 60) == 0)
        #expect(pids.allSatisfy { !isRunning($0) })
    }

    @Test func aStopRequestedBeforeRunStartsNoWorker() throws {
        var logger = Logger(label: "test.supervisor")
        logger.logLevel = .critical
        var configuration = SupervisorConfiguration(executable: "/bin/sh", arguments: ["-c", sleeper], workers: 2,
                                                    listenFD: 2, handlesSignals: false)
        let started = Locked<[Int32]>([])
        configuration.events = { event in
            if case .workerStarted(let pid) = event { started.withLock { $0.append(pid) } }
        }
        let supervisor = WorkerSupervisor(configuration: configuration, logger: logger)
        supervisor.requestStop()
        #expect(supervisor.run() == 0)
        #expect(started.withLock { $0 }.isEmpty, "no worker is started only to be drained")
        #expect(supervisor.workerPIDs.isEmpty)
    }

    /// How soon is the restart delay's business (checked as the delay chosen, below), not a clock's.
    @Test func aKilledWorkerIsReplaced() throws {
        let running = try RunningSupervisor(script: sleeper, workers: 3)
        defer { running.shutdown() }
        #expect(running.eventually(within: 60) { running.livePIDs.count == 3 })
        let victim = running.supervisor.workerPIDs[1]
        kill(victim, SIGKILL)
        #expect(running.eventually(within: 60) {
            let pids = running.livePIDs
            return pids.count == 3 && !pids.contains(victim)
        })
        #expect(running.supervisor.restartCount == 1)
        #expect(running.supervisor.restartDelays == [.milliseconds(100)])
    }

    /// Regression: with the old 10 s `stableAfter`, a slot whose serving workers were killed a few
    /// seconds apart waited 200, 400, 800 ms... (restarts.sh saw the pool short for over a second).
    @Test func workersKilledAgainAndAgainAreEachReplacedAtTheMinimumDelay() throws {
        let running = try RunningSupervisor(script: sleeper, workers: 2)
        defer { running.shutdown() }
        #expect(running.eventually(within: 60) { running.livePIDs.count == 2 })
        for round in 0..<3 {
            // Up for longer than the default stableAfter (1 s): a serving worker, not a crash loop.
            usleep(1_200_000)
            let victim = running.supervisor.workerPIDs[0]
            kill(victim, SIGKILL)
            #expect(running.eventually(within: 60) {
                let pids = running.livePIDs
                return pids.count == 2 && !pids.contains(victim)
            }, "round \(round)")
        }
        #expect(running.supervisor.restartDelays == Array(repeating: .milliseconds(100), count: 3))
    }

    @Test func reloadReplacesEveryWorkerKeepingThePoolUp() throws {
        let running = try RunningSupervisor(script: sleeper, workers: 3)
        defer { running.shutdown() }
        #expect(running.eventually(within: 60) { running.livePIDs.count == 3 })
        let before = Set(running.supervisor.workerPIDs)

        running.supervisor.requestReload()
        var smallest = 3
        let rolled = running.eventually(within: 60) {
            let now = running.livePIDs
            smallest = min(smallest, now.count)
            return now.count == 3 && before.isDisjoint(with: now)
        }
        #expect(rolled)
        #expect(smallest >= 2)
        #expect(running.eventually(within: 60) { before.allSatisfy { !isRunning($0) } })
        #expect(running.supervisor.restartCount == 0)
    }

    @Test func stopKillsWorkersThatIgnoreSIGTERM() throws {
        let running = try RunningSupervisor(script: "trap '' TERM; exec sleep 1000", workers: 2, drainTimeout: .milliseconds(300))
        defer { running.shutdown() }
        #expect(running.eventually(within: 60) { running.livePIDs.count == 2 })
        let pids = running.supervisor.workerPIDs
        let start = ContinuousClock.now
        running.supervisor.requestStop()
        #expect(running.waitForExit(timeout: 60) == 0)
        // The lower bound is the behaviour: workers get their drain timeout before SIGKILL.
        #expect(ContinuousClock.now - start >= .milliseconds(250))
        #expect(pids.allSatisfy { !isRunning($0) })
    }

    @Test func aWorkerThatKeepsDyingBacksOff() throws {
        let running = try RunningSupervisor(
            script: "echo $$ >> \"$PIDS\"; exit 1", workers: 1,
            minRestartDelay: .milliseconds(20), maxRestartDelay: .milliseconds(160))
        defer { running.shutdown() }
        #expect(running.eventually(within: 60) { running.supervisor.restartDelays.count >= 6 })
        let delays = Array(running.supervisor.restartDelays.prefix(6))
        #expect(delays == [.milliseconds(20), .milliseconds(40), .milliseconds(80), .milliseconds(160), .milliseconds(160), .milliseconds(160)])
    }

    @Test func aWorkerThatLivedLongEnoughResetsTheBackOff() throws {
        let running = try RunningSupervisor(
            script: "sleep 0.3; exit 1", workers: 1, minRestartDelay: .milliseconds(20),
            maxRestartDelay: .seconds(1), stableAfter: .milliseconds(200))
        defer { running.shutdown() }
        #expect(running.eventually(within: 60) { running.supervisor.restartDelays.count >= 3 })
        #expect(running.supervisor.restartDelays.prefix(3).allSatisfy { $0 == .milliseconds(20) })
    }

    @Test func aMissingExecutableIsRetriedAndStopStillWorks() throws {
        let running = try RunningSupervisor(
            script: "", workers: 2, minRestartDelay: .milliseconds(20), maxRestartDelay: .milliseconds(100),
            executable: "/nonexistent/worker")
        #expect(running.eventually(within: 60) { running.supervisor.restartCount >= 4 })
        #expect(running.supervisor.workerPIDs.isEmpty)
        running.supervisor.requestStop()
        #expect(running.waitForExit(timeout: 60) == 0)
        running.shutdown()
    }

    @Test func cleanExitsRestartWithoutGrowingBackOff() throws {
        let running = try RunningSupervisor(
            script: "exit 0", workers: 1, minRestartDelay: .milliseconds(20), maxRestartDelay: .seconds(1))
        defer { running.shutdown() }
        #expect(running.eventually(within: 60) { running.supervisor.restartDelays.count >= 4 })
        #expect(running.supervisor.restartDelays.prefix(4).allSatisfy { $0 == .milliseconds(20) })
    }

    @Test func workersGetTheListeningSocketOnFD0() throws {
        // The supervisor was given fd 2 as "listenFD": fd 0 of the worker must be that file.
        let running = try RunningSupervisor(
            script: #"echo "$(readlink /proc/$$/fd/0) $(readlink /proc/$$/fd/2)" > "$PIDS.tmp"; mv "$PIDS.tmp" "$PIDS.fds"; exec sleep 1000"#,
            workers: 1)
        defer { running.shutdown() }
        let path = running.directory.appendingPathComponent("pids.fds").path
        #expect(running.eventually(within: 60) { FileManager.default.fileExists(atPath: path) })
        let links = try String(contentsOfFile: path, encoding: .utf8).split(separator: " ")
        #expect(links.count == 2)
        #expect(links.first == links.last?.dropLast())
    }

    @Test func periodicHousekeepingRuns() throws {
        let count = Locked(0)
        let running = try RunningSupervisor(
            script: sleeper, workers: 1, periodic: { count.withLock { $0 += 1 } }, periodicInterval: .milliseconds(100))
        defer { running.shutdown() }
        #expect(running.eventually(within: 60) { count.withLock { $0 } >= 3 })
    }

    /// The real signal path in a child process (an exit test), so the runner never gets them.
    @Test func signalsReloadAndStopInAChildProcess() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let running = try RunningSupervisor(script: sleeper, workers: 2, handlesSignals: true)
            guard running.eventually(within: 60, { running.livePIDs.count == 2 }) else { exit(2) }
            let before = Set(running.supervisor.workerPIDs)
            kill(getpid(), SIGHUP)
            guard running.eventually(within: 60, {
                let now = running.livePIDs
                return now.count == 2 && before.isDisjoint(with: now)
            }) else { exit(3) }
            let after = running.supervisor.workerPIDs
            kill(getpid(), SIGTERM)
            guard running.waitForExit(timeout: 60) == 0 else { exit(4) }
            guard after.allSatisfy({ !isRunning($0) }) else { exit(5) }
            exit(0)
        }
    }
}
