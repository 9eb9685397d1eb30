import Foundation
import Testing
@testable import Telemetry

/// Shared counter files: layout, sums over workers, folding of exited workers, and the text views.
@Suite(.timeLimit(.minutes(10)))
final class CounterTests {
    let directory: MetricsDirectory

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("telemetry-\(UUID().uuidString.prefix(8))").path
        directory = MetricsDirectory(path: path)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory.path) }

    @Test func everyLabelFitsTheFixedLayout() {
        #expect(MetricsSchema.routes.count <= MetricsSchema.routeCapacity)
        #expect(MetricsSchema.operations.count <= MetricsSchema.operationCapacity)
        #expect(MetricsSchema.outcomes.count <= MetricsSchema.outcomeCapacity)
        #expect(MetricsSchema.Header.allCases.count <= MetricsSchema.headerWords)
        #expect(Set(MetricsSchema.routes).count == MetricsSchema.routes.count, "route labels are unique")
        // The last word of the last block is inside the file.
        #expect(MetricsSchema.operationWord(operation: MetricsSchema.operationCapacity - 1, outcome: MetricsSchema.outcomeCapacity - 1)
                == MetricsSchema.totalWords - 1)
        #expect(MetricsSchema.requestWord(route: 1, status: 99) == MetricsSchema.requestWord(route: 1, status: 100), "clamped, never outside its row")
        #expect(MetricsSchema.requestWord(route: 1, status: 600) < MetricsSchema.requestWord(route: 2, status: 100))
    }

    @Test func latencyBucketsAreUpperBounds() {
        #expect(MetricsSchema.bucket(forMicroseconds: 0) == 0)
        #expect(MetricsSchema.bucket(forMicroseconds: 500) == 0, "0.5 ms is in le=0.0005")
        #expect(MetricsSchema.bucket(forMicroseconds: 501) == 1)
        #expect(MetricsSchema.bucket(forMicroseconds: 10_000_000) == MetricsSchema.latencyBounds.count - 1)
        #expect(MetricsSchema.bucket(forMicroseconds: 10_000_001) == MetricsSchema.latencyBounds.count, "+Inf")
    }

    @Test func countsOfEveryWorkerAreSummedAndSurviveItsExit() throws {
        let pool = try directory.startPool(configuredWorkers: 2)
        let me = getpid()
        let first = try directory.startWorker(threads: 4, pid: me)
        // A second "worker" under a pid that cannot be running (above the kernel's largest pid_max, 2^22).
        let ghost: Int32 = 4_194_305
        let second = try directory.startWorker(threads: 4, pid: ghost)
        pool.workerStarted(); pool.workerStarted()
        let status = MetricsSchema.routeIndex("/api/plugins/{slug}/status")
        let install = MetricsSchema.routeIndex("/api/plugins/{slug}/install")
        for _ in 0..<3 { first.requestStarted(); first.requestFinished(route: status, status: 200, micros: 800) }
        for _ in 0..<2 { second.requestStarted(); second.requestFinished(route: status, status: 200, micros: 2_000_000) }
        second.requestStarted(); second.requestFinished(route: install, status: 409, micros: 5_000)
        second.operationFinished("install", outcome: "already_installed")
        first.operationFinished("install", outcome: "success")
        first.operationFinished("no_such_operation", outcome: "success")
        first.databaseBusyWait()

        var snapshot = try directory.snapshot()
        #expect(snapshot.requests(route: "/api/plugins/{slug}/status", status: 200) == 5)
        #expect(snapshot.requests(route: "/api/plugins/{slug}/install", status: 409) == 1)
        #expect(snapshot.operations("install", outcome: "success") == 1)
        #expect(snapshot.operations("install", outcome: "already_installed") == 1)
        #expect(snapshot.requests == 6 && snapshot.slowRequests == 2 && snapshot.databaseBusyWaits == 1)
        #expect(snapshot.liveWorkers == 2 && snapshot.configuredWorkers == 2 && snapshot.restarts == 0)
        #expect(snapshot.workers.map(\.pid).sorted() == [UInt64(me), UInt64(ghost)].sorted())
        #expect(snapshot.workers.first { $0.pid == UInt64(ghost) }?.alive == false)
        #expect(snapshot.workers.first { $0.pid == UInt64(me) }?.requests == 3)

        // The ghost exits: its counts move into the pool's file, its own file goes.
        pool.workerExited(pid: ghost, restarting: true)
        #expect(!FileManager.default.fileExists(atPath: directory.workerFilePath(pid: ghost)))
        snapshot = try directory.snapshot()
        #expect(snapshot.requests(route: "/api/plugins/{slug}/status", status: 200) == 5, "totals stay monotonic")
        #expect(snapshot.operations("install", outcome: "already_installed") == 1)
        #expect(snapshot.requests == 6 && snapshot.slowRequests == 2)
        #expect(snapshot.restarts == 1 && snapshot.liveWorkers == 1)
        #expect(snapshot.workers.map(\.pid) == [UInt64(me)])
    }

    @Test func totalsStayMonotonicWhileWorkersAreFoldedDuringScrapes() throws {
        let pool = try directory.startPool(configuredWorkers: 8)
        let route = MetricsSchema.routeIndex("/api/plugins/health")
        let scrapes = Scrapes()
        let done = DispatchSemaphore(value: 0)
        let directory = self.directory
        Thread {
            while !scrapes.stopped { scrapes.add((try? directory.snapshot()).map { $0.requests(route: MetricsSchema.routes[route], status: 200) }) }
            done.signal()
        }.start()
        while scrapes.all.isEmpty { usleep(1000) }
        // Workers under pids that cannot be running count, exit and are folded, one after another.
        for index in 0..<300 {
            let pid = Int32(4_194_305 + index)
            let worker = try directory.startWorker(threads: 1, pid: pid)
            pool.workerStarted()
            for _ in 0..<5 { worker.requestStarted(); worker.requestFinished(route: route, status: 200, micros: 10) }
            pool.workerExited(pid: pid, restarting: true)
        }
        scrapes.stop()
        done.wait()
        let seen = scrapes.all
        #expect(seen.count > 10 && !seen.contains(nil), "\(seen.count) scrapes, all with the lock")
        let values = seen.compactMap { $0 }
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }, "a total went down during a fold")
        #expect(try directory.snapshot().requests(route: MetricsSchema.routes[route], status: 200) == 1_500)
        #expect(try directory.snapshot().restarts == 300)
    }

    final class Scrapes: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [UInt64?] = []
        private var stopFlag = false
        func add(_ value: UInt64?) { lock.withLock { values.append(value) } }
        func stop() { lock.withLock { stopFlag = true } }
        var stopped: Bool { lock.withLock { stopFlag } }
        var all: [UInt64?] { lock.withLock { values } }
    }

    /// The fold and the scrape exclude each other through the pool file's lock: a scrape waits
    /// while a fold holds it (so it never sees a dead worker's counts in both files or in neither).
    @Test func aScrapeWaitsForAFoldInProgress() throws {
        _ = try directory.startPool(configuredWorkers: 1)
        let directory = self.directory
        let locked = DispatchSemaphore(value: 0), releasing = DispatchSemaphore(value: 0)
        Thread {
            try? directory.withPoolLock(LOCK_EX) {
                locked.signal()
                // A moment for the scrape to reach the lock; it is not an assertion: a scrape that
                // ignored the lock would finish now, before `releasing` is signalled.
                usleep(100_000)
                releasing.signal()
            }
        }.start()
        locked.wait()
        _ = try directory.snapshot()
        #expect(releasing.wait(timeout: .now()) == .success, "the scrape went ahead during a fold")
    }

    @Test func aFileOfAnotherLayoutIsIgnored() throws {
        let worker = try directory.startWorker(threads: 1)
        worker.requestStarted(); worker.requestFinished(route: 1, status: 200, micros: 10)
        #expect(try directory.snapshot().requests == 1)
        // An older or newer build's worker (another label list) writes another layout version.
        let fd = open(worker.path, O_RDWR)
        var other = MetricsSchema.layoutVersion &+ 1
        #expect(pwrite(fd, &other, 8, off_t(MetricsSchema.Header.version.rawValue * 8)) == 8)
        close(fd)
        #expect(try directory.snapshot().requests == 0 && directory.snapshot().workers.isEmpty)
    }

    @Test func aNewPoolStartsFromZero() throws {
        let pool = try directory.startPool(configuredWorkers: 1)
        let worker = try directory.startWorker(threads: 1)
        worker.requestStarted(); worker.requestFinished(route: 1, status: 200, micros: 10)
        pool.workerExited(pid: getpid(), restarting: false)
        #expect(try directory.snapshot().requests == 1)
        _ = try directory.startPool(configuredWorkers: 1)
        #expect(try directory.snapshot().requests == 0)
    }

    @Test func busyThreadsAreAGaugeWithAHighWaterMark() throws {
        let worker = try directory.startWorker(threads: 4)
        worker.requestStarted(); worker.requestStarted(); worker.requestStarted()
        #expect(try directory.snapshot().busyThreads == 3)
        worker.requestFinished(route: 0, status: 404, micros: 10)
        worker.requestFinished(route: 0, status: 404, micros: 10)
        let snapshot = try directory.snapshot()
        #expect(snapshot.busyThreads == 1 && snapshot.workers[0].maxBusyThreads == 3 && snapshot.threads == 4)
    }

    @Test func countsFromManyThreadsAreNotLost() throws {
        let worker = try directory.startWorker(threads: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<2_000 { worker.requestStarted(); worker.requestFinished(route: 2, status: 200, micros: 100) }
        }
        let snapshot = try directory.snapshot()
        #expect(snapshot.requests(route: MetricsSchema.routes[2], status: 200) == 16_000)
        #expect(snapshot.busyThreads == 0)
    }

    @Test func prometheusTextIsWellFormedAndCumulative() throws {
        _ = try directory.startPool(configuredWorkers: 3)
        let worker = try directory.startWorker(threads: 2)
        let status = MetricsSchema.routeIndex("/api/plugins/{slug}/status")
        worker.requestStarted(); worker.requestFinished(route: status, status: 200, micros: 300)      // le=0.0005
        worker.requestStarted(); worker.requestFinished(route: status, status: 200, micros: 20_000)   // le=0.025
        worker.requestStarted(); worker.requestFinished(route: status, status: 404, micros: 20_000_000) // +Inf
        worker.operationFinished("uninstall", outcome: "dependency_in_use")
        let text = PrometheusExposition.render(try directory.snapshot())
        let lines = text.split(separator: "\n").map(String.init)
        let sample = try Regex(#"^[a-z_]+(\{[a-z_]+="[^"\n]*"(,[a-z_]+="[^"\n]*")*\})? [0-9]+(\.[0-9]+)?$"#)
        for line in lines where !line.hasPrefix("#") {
            #expect(line.wholeMatch(of: sample) != nil, "not a sample line: \(line)")
        }
        let route = #"route="/api/plugins/{slug}/status""#
        #expect(lines.contains("plugin_lifecycle_http_requests_total{\(route),code=\"200\"} 2"))
        #expect(lines.contains("plugin_lifecycle_http_requests_total{\(route),code=\"404\"} 1"))
        #expect(lines.contains("plugin_lifecycle_http_request_duration_seconds_bucket{\(route),le=\"0.0005\"} 1"))
        #expect(lines.contains("plugin_lifecycle_http_request_duration_seconds_bucket{\(route),le=\"0.025\"} 2"))
        #expect(lines.contains("plugin_lifecycle_http_request_duration_seconds_bucket{\(route),le=\"10.0\"} 2"))
        #expect(lines.contains("plugin_lifecycle_http_request_duration_seconds_bucket{\(route),le=\"+Inf\"} 3"))
        #expect(lines.contains("plugin_lifecycle_http_request_duration_seconds_count{\(route)} 3"))
        #expect(lines.contains("plugin_lifecycle_http_request_duration_seconds_sum{\(route)} 20.020300"))
        #expect(lines.contains("plugin_lifecycle_operations_total{operation=\"uninstall\",outcome=\"dependency_in_use\"} 1"))
        #expect(lines.contains("plugin_lifecycle_pool_workers 3"))
        #expect(lines.contains("plugin_lifecycle_slow_requests_total 1"))
        #expect(lines.contains("# TYPE plugin_lifecycle_worker_restarts_total counter"))
        // Every family has HELP and TYPE once.
        let types = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(Set(types).count == types.count)
    }

    @Test func poolStatusNamesEachWorker() throws {
        _ = try directory.startPool(configuredWorkers: 1)
        let worker = try directory.startWorker(threads: 4)
        worker.requestStarted(); worker.requestFinished(route: MetricsSchema.routeIndex("/api/plugins/health"), status: 200, micros: 42)
        let snapshot = try directory.snapshot()
        let text = PoolStatusView.text(snapshot, full: true)
        #expect(text.contains("accepted conn:         1\n"), "\(text)")
        #expect(text.contains("pid:                   \(getpid())\n"))
        #expect(text.contains("last request route:    /api/plugins/health\n"))
        #expect(!PoolStatusView.text(snapshot, full: false).contains("pid:"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(PoolStatusView.json(snapshot, full: true))) as? [String: Any])
        #expect(json["accepted_conn"] as? Int == 1 && json["workers"] as? Int == 1)
        let processes = try #require(json["processes"] as? [[String: Any]])
        #expect(processes.count == 1 && processes[0]["pid"] as? Int == Int(getpid()) && processes[0]["last_request_status"] as? Int == 200)
    }

    /// A named host's folder is two levels below `run/` (`run/<host>/metrics`): every missing level is made.
    @Test func aHostsFolderIsMadeWithItsParents() throws {
        let nested = MetricsDirectory(path: directory.path + "/run/h1/metrics")
        _ = try nested.startPool(configuredWorkers: 1)
        #expect(FileManager.default.fileExists(atPath: nested.poolFilePath))
        #expect(try nested.snapshot().configuredWorkers == 1)
        nested.removeAll()
    }
}
