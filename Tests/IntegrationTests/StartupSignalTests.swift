import FastCGITransport
import Foundation
import Testing

/// A stop that arrives while a process is still starting must be a clean exit (status 0, no
/// socket left behind), not a death by signal. The signal is made to arrive "during start-up"
/// deterministically: the process is spawned with SIGTERM blocked and the signal is sent at once,
/// so it is pending from the first instruction and delivered when the process clears its mask.
/// A process that clears the mask before installing its handlers dies of it (status 15).
@Suite struct StartupSignalTests {
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

    /// posix_spawn rather than `Process`: only it lets the test choose the child's signal mask.
    static func spawnWithTERMPending(_ arguments: [String], stdinFD: Int32? = nil, stderrPath: String) throws -> Outcome {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes); defer { posix_spawnattr_destroy(&attributes) }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &blocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions); defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdinFD { posix_spawn_file_actions_adddup2(&actions, stdinFD, 0) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        let argv: [UnsafeMutablePointer<CChar>?] = ([Stack.binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, Stack.binary, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
        kill(pid, SIGTERM)  // pending until the child unblocks it

        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(20)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                return .hung
            }
            usleep(20_000)
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}
