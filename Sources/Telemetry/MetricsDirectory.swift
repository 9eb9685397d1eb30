#if canImport(Glibc)
import Glibc
#endif
import Posix

/// The folder of counter files (`DATA_DIR/run/metrics`, or `DATA_DIR/run/<host>/metrics` with a host id): `pool.bin` of the master and one
/// `worker-PID.bin` per worker.
///
/// Totals stay monotonic across worker restarts: when a worker exits, the master adds its counts
/// to `pool.bin` and removes its file, under an exclusive `flock` on `pool.bin`; readers hold a
/// shared lock while they add up the files, so they never see a dead worker's counts twice or not
/// at all.
package struct MetricsDirectory: Sendable {
    package let path: String

    package init(path: String) { self.path = path }

    package var poolFilePath: String { path + "/pool.bin" }
    package func workerFilePath(pid: Int32) -> String { path + "/worker-\(pid).bin" }

    /// Makes the folder (0750) and its missing parents (`run/`, `run/<host>/`).
    package func prepare() throws(TelemetryError) {
        var missing: [String] = []
        var folder = path
        while !folder.isEmpty, access(folder, F_OK) != 0 {
            missing.append(folder)
            folder = folder.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        }
        for folder in missing.reversed() {
            if mkdir(folder, 0o750) != 0 && errno != EEXIST { throw .system("mkdir \(folder)", errno) }
        }
    }

    /// The master's start: counters begin at zero with the service (as any Prometheus target's do).
    package func startPool(configuredWorkers: Int) throws(TelemetryError) -> PoolCounters {
        try prepare()
        for name in entries() where name.hasSuffix(".bin") || name.hasSuffix(".new") { unlink(path + "/" + name) }
        let file = try CounterFile.create(path: poolFilePath, role: .pool)
        file.set(.configuredWorkers, UInt64(configuredWorkers))
        return PoolCounters(file: file, directory: self)
    }

    /// The master's end: the counters go with the pool (a worker run alone later must not report
    /// this pool's figures as its own).
    package func removeAll() {
        for name in entries() where name.hasSuffix(".bin") || name.hasSuffix(".new") { unlink(path + "/" + name) }
    }

    /// A worker's own file (`pid` other than the caller's only in tests).
    package func startWorker(threads: Int, pid: Int32 = getpid()) throws(TelemetryError) -> WorkerCounters {
        try prepare()
        return WorkerCounters(file: try CounterFile.create(path: workerFilePath(pid: pid), role: .worker, threads: threads, pid: pid))
    }

    /// Adds up every file (see the type's note on locking). Throws when the pool's lock cannot be
    /// taken (not when there is no master): a sum taken without it could count a worker twice.
    package func snapshot() throws(TelemetryError) -> MetricsSnapshot {
        try withPoolLock(LOCK_SH) {
            var snapshot = MetricsSnapshot()
            if let pool = CounterFile.openExisting(path: poolFilePath) { snapshot.addPool(pool) }
            for name in entries().sorted() where name.hasPrefix("worker-") && name.hasSuffix(".bin") {
                guard let worker = CounterFile.openExisting(path: path + "/" + name), worker[.role] == CounterFileRole.worker.rawValue,
                      worker[.folded] == 0 else { continue }
                snapshot.addWorker(worker, alive: kill(pid_t(worker[.pid]), 0) == 0 || errno == EPERM)
            }
            return snapshot
        }
    }

    func withPoolLock<T>(_ operation: Int32, _ body: () -> T) throws(TelemetryError) -> T {
        let fd = open(poolFilePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return body() }  // no master (a worker run alone): nothing is ever folded
            throw .system("open \(poolFilePath)", errno)
        }
        defer { close(fd) }
        while flock(fd, operation) != 0 && errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        return body()
    }

    /// The folder's names (none when it cannot be listed); the workers name their files in UTF-8.
    func entries() -> [String] { (try? FileTree.entries(path)) ?? [] }
}
