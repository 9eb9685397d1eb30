import Foundation
import LifecycleCore
import LifecycleStore
import Posix
import Telemetry

/// Signs that something is using a data directory right now. A restore under a running pool
/// would be lost or worse: its processes keep the replaced database open and write on.
enum LiveUse {
    /// One sentence per sign found; empty when the directory looks unused.
    /// `location`: the store, when it is not the data directory's SQLite file (its leases count too).
    static func evidence(in directory: DataDirectory, location: StoreLocation? = nil) -> [String] {
        var signs: [String] = []
        if let location, case .postgres = location, let leases = try? LifecycleDatabase(location: location).allLeases() {
            signs += liveOperations(leases)
        }
        if let holder = shmHolder(directory.databasePath + "-shm") {
            signs.append("a process (pid \(holder)) has the database open (it holds SQLite's lock on \(directory.databasePath)-shm)")
        }
        for folder in runFolders(directory) { signs += runState(in: folder) }
        if FileTree.kind(directory.databasePath) == .regular,
           let leases = try? LifecycleDatabase(path: directory.databasePath, readOnlyIfExists: true).allLeases() {
            signs += liveOperations(leases)
        }
        return signs
    }

    static func liveOperations(_ leases: [OperationLease]) -> [String] {
        leases.filter { LifecycleService.leaseIsLive($0) }.map { "an operation (\($0.operation)) on \($0.userID)/\($0.pluginSlug) is running" }
    }

    /// `run/` and every `run/<host>/`: a pool started with a host id keeps its run state in its own
    /// folder (``DataDirectory/runFolder(_:)``), and any host's pool makes the directory live.
    static func runFolders(_ directory: DataDirectory) -> [String] {
        let hosts = ((try? FileTree.entries(directory.runRoot)) ?? []).sorted()
            .map { directory.runRoot + "/" + $0 }
            .filter { FileTree.kind($0) == .directory }
        return [directory.runRoot] + hosts
    }

    /// A pool's pid file, counters and socket in one run folder.
    static func runState(in folder: String) -> [String] {
        var signs: [String] = []
        let pidFile = folder + "/pool.pid"
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
           let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), isPool(pid) {
            signs.append("the pool's master (pid \(pid), \(pidFile)) is running")
        }
        // A pool started elsewhere (systemd: socket in /run, no pid file) still keeps its counters here.
        let metricsRoot = folder + "/metrics"
        let metrics = (try? MetricsDirectory(path: metricsRoot).snapshot()) ?? MetricsSnapshot()
        if let master = metrics.masterPID, isPool(pid_t(truncatingIfNeeded: master)) {
            signs.append("the pool's master (pid \(master), \(metricsRoot)/pool.bin) is running")
        }
        for worker in metrics.workers where worker.alive && isPool(pid_t(truncatingIfNeeded: worker.pid)) {
            signs.append("a worker (pid \(worker.pid)) is running")
        }
        let socket = folder + "/fcgi.sock"
        if FileTree.kind(socket) == .socket, accepts(socket) {
            signs.append("a process accepts connections on \(socket)")
        }
        return signs
    }

    /// SQLite's own evidence of an open WAL connection: each process with the database open holds
    /// a shared fcntl lock on byte 128 of the `-shm` file (the unix VFS's "DMS" byte,
    /// `UNIX_SHM_BASE` 120 + `SQLITE_SHM_NLOCK` 8) for as long as it has it mapped, readers
    /// included. Returns the pid of one holder, nil when none (or no `-shm`).
    ///
    /// An open-file-description query (`F_OFD_GETLK`, Linux) also sees this process's own
    /// connections, which a plain `F_GETLK` never reports. Trap: closing any descriptor of a file
    /// drops every POSIX lock this process holds on it, SQLite's included; so when the holder is
    /// this process the probe's descriptor is left open rather than closed.
    static func shmHolder(_ path: String) -> pid_t? {
        guard FileTree.kind(path) == .regular else { return nil }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 128
        lock.l_len = 1
        let ofdGetLock: Int32 = 36  // F_OFD_GETLK, not exported to Swift without _GNU_SOURCE
        guard fcntl(fd, ofdGetLock, &lock) == 0 else { close(fd); return nil }
        if lock.l_type == Int16(F_UNLCK) { close(fd); return nil }
        if lock.l_pid != getpid() { close(fd) }
        return lock.l_pid
    }

    /// Alive, and a plugin-lifecycle process: a stale pid file whose number was reused by another
    /// program must not block a restore.
    static func isPool(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return true }
        return String(decoding: cmdline, as: UTF8.self).contains("plugin-lifecycle")
    }

    static func accepts(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }
}
