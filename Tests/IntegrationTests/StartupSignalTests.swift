import FastCGITransport
import Foundation
import Testing

/// A stop that arrives while a process is still starting must be a clean exit (status 0, no
/// socket left behind), not a death by signal. The signal is made to arrive "during start-up"
/// deterministically: it is pending, under a blocked mask, from the process's first instruction,
/// and delivered when the process clears its mask. A process that clears the mask before
/// installing its handlers dies of it (status 15).
@Suite(.timeLimit(.minutes(10))) struct StartupSignalTests {
    func dataDir() throws -> String { try Stack.initializedDataDirectory(prefix: "lc-sig") }

    @Test func masterStoppedBeforeItListensExitsCleanly() throws {
        let dir = try dataDir(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let socket = dir + "/s.sock"
        let outcome = try Self.spawnWithTERMPending(
            ["serve", "--data-dir", dir, "--socket", socket, "--workers", "1"], stderrPath: dir + "/master.log")
        let log = (try? String(contentsOfFile: dir + "/master.log", encoding: .utf8)) ?? ""
        #expect(outcome == .exited(0), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: socket), "the master removes its socket on a clean stop")
        #expect(log.contains("stopped before starting the pool") && !log.contains("supervisor starting"),
                "no pool is started only to be drained: \(log)")
    }

    @Test func workerStoppedBeforeItAcceptsExitsCleanly() throws {
        let dir = try dataDir(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let listener = try FastCGISocket.listen(unixPath: dir + "/w.sock")
        defer { close(listener) }
        let outcome = try Self.spawnWithTERMPending(
            ["worker", "--data-dir", dir], stdinFD: listener, stderrPath: dir + "/worker.log")
        let log = (try? String(contentsOfFile: dir + "/worker.log", encoding: .utf8)) ?? ""
        #expect(outcome == .exited(0), "\(log)")
    }

    enum Outcome: Equatable { case exited(Int32), signalled(Int32), hung }

    /// Starts `plugin-lifecycle arguments` with SIGTERM blocked and already pending: a shell,
    /// spawned with the signal blocked, sends it to itself and then execs the binary (a pending
    /// signal and the mask survive exec), so the binary's first instruction runs with it pending,
    /// however the scheduler orders parent and child. posix_spawn rather than `Process`: only it
    /// lets the test choose the child's signal mask and dispositions.
    static func spawnWithTERMPending(_ arguments: [String], stdinFD: Int32? = nil, stderrPath: String) throws -> Outcome {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes); defer { posix_spawnattr_destroy(&attributes) }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &blocked)
        // Default dispositions even if the test runner ignores them: then only the binary's own
        // handlers can turn the pending SIGTERM into a clean exit.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // A process group of its own, so a hung master is killed with any worker it started.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions); defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdinFD { posix_spawn_file_actions_adddup2(&actions, stdinFD, 0) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of the test runner's (pipes of tests running alongside) reaches the child.
        // (glibc's addclosefrom_np is not in Swift's Glibc module: close what is open now.)
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for fd in open where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }

        let command = ["/bin/sh", "-c", #"kill -TERM $$ && exec "$0" "$@""#, Stack.binary] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }

        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(20)
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
            if Date() > deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .hung
            }
            usleep(20_000)
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}
