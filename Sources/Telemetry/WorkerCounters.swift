/// What one worker process records: requests by route and status with their latency, lifecycle
/// operations by outcome, busy threads, database busy waits. Safe from any thread (atomic adds).
package final class WorkerCounters: Sendable {
    let file: CounterFile

    init(file: CounterFile) { self.file = file }

    package var path: String { file.path }

    /// A request was taken up by a thread.
    package func requestStarted() {
        file.add(.busyThreads)
        file.raise(.maxBusyThreads, to: file[.busyThreads])
    }

    /// The request has its response. `route` is an index into ``MetricsSchema/routes``.
    package func requestFinished(route: Int, status: Int, micros: UInt64) {
        let route = (0..<MetricsSchema.routes.count).contains(route) ? route : 0
        file.add(MetricsSchema.requestWord(route: route, status: status))
        file.add(MetricsSchema.bucketWord(route: route, bucket: MetricsSchema.bucket(forMicroseconds: micros)))
        file.add(MetricsSchema.latencySumWord(route: route), micros)
        file.add(.requests)
        if micros >= MetricsSchema.slowRequestMicroseconds { file.add(.slowRequests) }
        file.set(.lastRoute, UInt64(route))
        file.set(.lastStatus, UInt64(status))
        file.set(.lastDurationMicros, micros)
        file.set(.lastFinishedMillis, Clock.unixMillis())
        file.decrement(.busyThreads)
    }

    /// A lifecycle operation ended: `outcome` is `success` or a problem code.
    package func operationFinished(_ operation: String, outcome: String) {
        guard let index = MetricsSchema.operationIndex(operation) else { return }
        file.add(MetricsSchema.operationWord(operation: index, outcome: MetricsSchema.outcomeIndex(outcome)))
    }

    /// A database connection found the database locked and started waiting.
    package func databaseBusyWait() { file.add(.databaseBusyWaits) }

    /// Monotonic microseconds, for request durations.
    package static func now() -> UInt64 { Clock.monotonicMicros() }
}

/// The master's file: pool size, live workers, restarts and reloads, and the folded counts of
/// workers that have exited.
package final class PoolCounters: Sendable {
    let file: CounterFile
    let directory: MetricsDirectory

    init(file: CounterFile, directory: MetricsDirectory) { self.file = file; self.directory = directory }

    package func workerStarted() { file.add(.liveWorkers) }

    /// A worker exited: its counts join the pool's, its file goes. `restarting` counts a restart
    /// (a crash or a recycle the master replaces; not a drain at shutdown or a reload's retirement).
    package func workerExited(pid: Int32, restarting: Bool) {
        file.decrement(.liveWorkers)
        if restarting { file.add(.restarts) }
        let workerPath = directory.workerFilePath(pid: pid)
        guard let worker = CounterFile.openExisting(path: workerPath, writable: true) else { return }
        // The pool file is this process's own: failing to lock it (out of descriptors) leaves the
        // worker's file for the next exit event rather than folding without the lock.
        try? directory.withPoolLock(LOCK_EX) {
            file.absorb(worker)
            worker.set(.folded, 1)
            unlink(workerPath)
        }
    }

    package func reloaded() { file.add(.reloads) }
}

#if canImport(Glibc)
import Glibc
#endif
