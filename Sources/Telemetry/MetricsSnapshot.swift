/// Every counter file added up at one moment, plus each live worker's own state for the pool view.
package struct MetricsSnapshot: Sendable, Equatable {
    /// The summed words (``MetricsSchema`` layout).
    var totals = [UInt64](repeating: 0, count: MetricsSchema.totalWords)
    package var requests: UInt64 = 0
    package var slowRequests: UInt64 = 0
    package var databaseBusyWaits: UInt64 = 0
    package var configuredWorkers: UInt64 = 0
    package var liveWorkers: UInt64 = 0
    package var restarts: UInt64 = 0
    package var reloads: UInt64 = 0
    package var poolStartedMillis: UInt64?
    package var masterPID: UInt64?
    package var workers: [Worker] = []

    /// One worker as the pool status view shows it (php-fpm's per-process lines).
    package struct Worker: Sendable, Equatable {
        package var pid: UInt64
        package var startedMillis: UInt64
        package var alive: Bool
        package var threads: UInt64
        package var busyThreads: UInt64
        package var maxBusyThreads: UInt64
        package var requests: UInt64
        package var slowRequests: UInt64
        package var lastRoute: String?
        package var lastStatus: UInt64
        package var lastDurationMicros: UInt64
        package var lastFinishedMillis: UInt64
    }

    package init() {}

    mutating func addPool(_ file: CounterFile) {
        addCounts(file)
        configuredWorkers = file[.configuredWorkers]
        liveWorkers = file[.liveWorkers]
        restarts = file[.restarts]
        reloads = file[.reloads]
        poolStartedMillis = file[.startedMillis]
        masterPID = file[.pid]
    }

    mutating func addWorker(_ file: CounterFile, alive: Bool) {
        // Each word read once: the pool view's per-worker figures add up to its totals even while
        // the workers count on.
        let served = addCounts(file)
        let route = Int(file[.lastRoute])
        workers.append(Worker(
            pid: file[.pid], startedMillis: file[.startedMillis], alive: alive, threads: file[.threads],
            busyThreads: alive ? file[.busyThreads] : 0, maxBusyThreads: file[.maxBusyThreads],
            requests: served.requests, slowRequests: served.slow,
            lastRoute: file[.lastFinishedMillis] == 0 ? nil : MetricsSchema.routes.indices.contains(route) ? MetricsSchema.routes[route] : nil,
            lastStatus: file[.lastStatus], lastDurationMicros: file[.lastDurationMicros],
            lastFinishedMillis: file[.lastFinishedMillis]))
    }

    @discardableResult
    private mutating func addCounts(_ file: CounterFile) -> (requests: UInt64, slow: UInt64) {
        for word in MetricsSchema.summedRange { totals[word] &+= file[word] }
        let served = (requests: file[.requests], slow: file[.slowRequests])
        requests &+= served.requests
        slowRequests &+= served.slow
        databaseBusyWaits &+= file[.databaseBusyWaits]
        return served
    }

    // MARK: - Reading

    /// Requests of one route template with one status.
    package func requests(route: String, status: Int) -> UInt64 {
        totals[MetricsSchema.requestWord(route: MetricsSchema.routeIndex(route), status: status)]
    }

    package func operations(_ operation: String, outcome: String) -> UInt64 {
        guard let index = MetricsSchema.operationIndex(operation) else { return 0 }
        return totals[MetricsSchema.operationWord(operation: index, outcome: MetricsSchema.outcomeIndex(outcome))]
    }

    /// Requests of a route in each latency bucket (not cumulative; the last is +Inf), and the sum.
    func latency(route: Int) -> (buckets: [UInt64], sumMicros: UInt64) {
        let buckets = (0...MetricsSchema.latencyBounds.count).map { totals[MetricsSchema.bucketWord(route: route, bucket: $0)] }
        return (buckets, totals[MetricsSchema.latencySumWord(route: route)])
    }

    package var busyThreads: UInt64 { workers.reduce(0) { $0 + $1.busyThreads } }
    package var threads: UInt64 { workers.filter(\.alive).reduce(0) { $0 + $1.threads } }
}
