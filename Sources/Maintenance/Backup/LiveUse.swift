import Foundation
import LifecycleCore
import LifecycleStore
import Telemetry

/// Signs that something is using a data directory right now. A restore under a running pool
/// would be lost or worse: its processes keep the replaced database open and write on.
enum LiveUse {
    /// One sentence per sign found; empty when the directory looks unused.
    static func evidence(in directory: DataDirectory) -> [String] {
        var signs: [String] = []
        let pidFile = directory.runRoot + "/pool.pid"
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
           let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), isPool(pid) {
            signs.append("the pool's master (pid \(pid), \(pidFile)) is running")
        }
        // A pool started elsewhere (systemd: socket in /run, no pid file) still keeps its counters here.
        let metrics = (try? MetricsDirectory(path: directory.metricsRoot).snapshot()) ?? MetricsSnapshot()
        if let master = metrics.masterPID, isPool(pid_t(truncatingIfNeeded: master)) {
            signs.append("the pool's master (pid \(master), \(directory.metricsRoot)/pool.bin) is running")
        }
        for worker in metrics.workers where worker.alive && isPool(pid_t(truncatingIfNeeded: worker.pid)) {
            signs.append("a worker (pid \(worker.pid)) is running")
        }
        let socket = directory.runRoot + "/fcgi.sock"
        if Disk.kind(socket) == .other, accepts(socket) {
            signs.append("a process accepts connections on \(socket)")
        }
        if Disk.kind(directory.databasePath) == .file,
           let leases = try? LifecycleDatabase(path: directory.databasePath, readOnlyIfExists: true).allLeases() {
            for lease in leases where LifecycleService.leaseIsLive(lease) {
                signs.append("an operation (\(lease.operation)) on \(lease.userID)/\(lease.pluginSlug) is running")
            }
        }
        return signs
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
