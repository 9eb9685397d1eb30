/// The snapshot in Prometheus' text exposition format (version 0.0.4).
///
/// swift-prometheus keeps one registry per process; these figures are the sum over every worker's
/// shared counter file, so the text is written here from the snapshot instead.
package enum PrometheusExposition {
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    package static func render(_ snapshot: MetricsSnapshot) -> String {
        var out = ""
        out.reserveCapacity(16 * 1024)

        family(&out, "plugin_lifecycle_http_requests_total", "counter", "Requests answered by the workers, by route template and status.")
        for (route, name) in MetricsSchema.routes.enumerated() {
            for status in 100...599 {
                let count = snapshot.totals[MetricsSchema.requestWord(route: route, status: status)]
                if count > 0 { out += "plugin_lifecycle_http_requests_total{route=\"\(name)\",code=\"\(status)\"} \(count)\n" }
            }
        }

        family(&out, "plugin_lifecycle_http_request_duration_seconds", "histogram",
               "Time from the worker taking up a request to its response, by route template.")
        for (route, name) in MetricsSchema.routes.enumerated() {
            let (buckets, sumMicros) = snapshot.latency(route: route)
            let count = buckets.reduce(0, +)
            guard count > 0 else { continue }
            var cumulative: UInt64 = 0
            for (index, bound) in MetricsSchema.latencyBounds.enumerated() {
                cumulative += buckets[index]
                out += "plugin_lifecycle_http_request_duration_seconds_bucket{route=\"\(name)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "plugin_lifecycle_http_request_duration_seconds_bucket{route=\"\(name)\",le=\"+Inf\"} \(count)\n"
            out += "plugin_lifecycle_http_request_duration_seconds_sum{route=\"\(name)\"} \(seconds(sumMicros))\n"
            out += "plugin_lifecycle_http_request_duration_seconds_count{route=\"\(name)\"} \(count)\n"
        }

        family(&out, "plugin_lifecycle_operations_total", "counter", "Lifecycle operations by outcome (success or the problem code).")
        for (operation, name) in MetricsSchema.operations.enumerated() {
            for (outcome, label) in MetricsSchema.outcomes.enumerated() {
                let count = snapshot.totals[MetricsSchema.operationWord(operation: operation, outcome: outcome)]
                if count > 0 { out += "plugin_lifecycle_operations_total{operation=\"\(name)\",outcome=\"\(label)\"} \(count)\n" }
            }
        }

        scalar(&out, "plugin_lifecycle_slow_requests_total", "counter", "Requests that took a second or more.", snapshot.slowRequests)
        scalar(&out, "plugin_lifecycle_database_busy_waits_total", "counter",
               "Times a database connection found the database locked and waited.", snapshot.databaseBusyWaits)
        scalar(&out, "plugin_lifecycle_worker_restarts_total", "counter",
               "Workers the master replaced after they exited (crash, request timeout or max requests).", snapshot.restarts)
        scalar(&out, "plugin_lifecycle_pool_reloads_total", "counter", "Rolling reloads (SIGHUP) of the pool.", snapshot.reloads)
        scalar(&out, "plugin_lifecycle_pool_workers", "gauge", "Worker processes the pool is configured to run.", snapshot.configuredWorkers)
        scalar(&out, "plugin_lifecycle_pool_workers_alive", "gauge", "Worker processes running now.",
               snapshot.masterPID == nil ? UInt64(snapshot.workers.filter(\.alive).count) : snapshot.liveWorkers)
        scalar(&out, "plugin_lifecycle_pool_threads", "gauge", "Accept threads of the running workers.", snapshot.threads)
        scalar(&out, "plugin_lifecycle_pool_busy_threads", "gauge", "Threads handling a request now (this scrape included).", snapshot.busyThreads)
        if let started = snapshot.poolStartedMillis {
            family(&out, "plugin_lifecycle_pool_start_time_seconds", "gauge", "When the master started, in Unix seconds.")
            out += "plugin_lifecycle_pool_start_time_seconds \(started / 1000)\n"
        }
        return out
    }

    private static func family(_ out: inout String, _ name: String, _ type: String, _ help: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private static func scalar(_ out: inout String, _ name: String, _ type: String, _ help: String, _ value: UInt64) {
        family(&out, name, type, help)
        out += "\(name) \(value)\n"
    }

    static func seconds(_ micros: UInt64) -> String {
        let whole = micros / 1_000_000, fraction = micros % 1_000_000
        let digits = String(fraction)
        return "\(whole).\(String(repeating: "0", count: 6 - digits.count))\(digits)"
    }
}
