#if canImport(Glibc)
import Glibc
#endif

/// The pool at a glance, in the spirit of php-fpm's status page: totals first, then (with `full`)
/// one block per worker. Text by default, JSON on request.
package enum PoolStatusView {
    package static func text(_ snapshot: MetricsSnapshot, full: Bool, nowMillis: UInt64 = currentMillis()) -> String {
        var lines: [(String, String)] = [
            ("pool", "plugin-lifecycle"),
            ("process manager", "static"),
        ]
        if let started = snapshot.poolStartedMillis {
            lines.append(("start time", LogTimeFormat.date(millis: started)))
            lines.append(("start since", String(seconds(since: started, now: nowMillis))))
        }
        lines += [
            ("accepted conn", String(snapshot.requests)),
            ("slow requests", String(snapshot.slowRequests)),
            ("workers", String(snapshot.configuredWorkers)),
            ("workers alive", String(snapshot.workers.filter(\.alive).count)),
            ("total threads", String(snapshot.threads)),
            ("active threads", String(snapshot.busyThreads)),
            ("idle threads", String(snapshot.threads &- min(snapshot.threads, snapshot.busyThreads))),
            ("max active threads", String(snapshot.workers.filter(\.alive).map(\.maxBusyThreads).max() ?? 0)),
            ("worker restarts", String(snapshot.restarts)),
            ("reloads", String(snapshot.reloads)),
            ("database busy waits", String(snapshot.databaseBusyWaits)),
        ]
        var out = block(lines)
        guard full else { return out }
        for worker in snapshot.workers where worker.alive {
            out += "\n************************\n"
            out += block([
                ("pid", String(worker.pid)),
                ("state", worker.busyThreads > 0 ? "Running" : "Idle"),
                ("start time", LogTimeFormat.date(millis: worker.startedMillis)),
                ("start since", String(seconds(since: worker.startedMillis, now: nowMillis))),
                ("requests", String(worker.requests)),
                ("slow requests", String(worker.slowRequests)),
                ("threads", String(worker.threads)),
                ("active threads", String(worker.busyThreads)),
                ("max active threads", String(worker.maxBusyThreads)),
                ("last request route", worker.lastRoute ?? "-"),
                ("last request status", worker.lastRoute == nil ? "-" : String(worker.lastStatus)),
                ("last request duration", worker.lastRoute == nil ? "-" : "\(worker.lastDurationMicros) us"),
            ])
        }
        return out
    }

    package static func json(_ snapshot: MetricsSnapshot, full: Bool, nowMillis: UInt64 = currentMillis()) -> [UInt8] {
        var json = JSONObjectWriter(capacity: 1024)
        json.field("pool", "plugin-lifecycle")
        json.field("process_manager", "static")
        if let started = snapshot.poolStartedMillis {
            json.field("start_time", started / 1000)
            json.field("start_since", seconds(since: started, now: nowMillis))
        }
        json.field("accepted_conn", snapshot.requests)
        json.field("slow_requests", snapshot.slowRequests)
        json.field("workers", snapshot.configuredWorkers)
        json.field("workers_alive", snapshot.workers.filter(\.alive).count)
        json.field("total_threads", snapshot.threads)
        json.field("active_threads", snapshot.busyThreads)
        json.field("worker_restarts", snapshot.restarts)
        json.field("reloads", snapshot.reloads)
        json.field("database_busy_waits", snapshot.databaseBusyWaits)
        var out = json.finished()
        guard full else { return out }
        // "processes": an array of flat objects, appended by hand (the writer is flat by design).
        out.removeLast()
        out += Array(",\"processes\":[".utf8)
        for (index, worker) in snapshot.workers.filter(\.alive).enumerated() {
            var item = JSONObjectWriter()
            item.field("pid", worker.pid)
            item.field("state", worker.busyThreads > 0 ? "Running" : "Idle")
            item.field("start_time", worker.startedMillis / 1000)
            item.field("requests", worker.requests)
            item.field("slow_requests", worker.slowRequests)
            item.field("threads", worker.threads)
            item.field("active_threads", worker.busyThreads)
            item.field("max_active_threads", worker.maxBusyThreads)
            item.field("last_request_route", worker.lastRoute)
            if worker.lastRoute != nil {
                item.field("last_request_status", worker.lastStatus)
                item.field("last_request_duration_us", worker.lastDurationMicros)
            }
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += item.finished()
        }
        out += Array("]}".utf8)
        return out
    }

    package static func currentMillis() -> UInt64 { Clock.unixMillis() }

    private static func seconds(since millis: UInt64, now: UInt64) -> UInt64 { now > millis ? (now - millis) / 1000 : 0 }

    private static func block(_ lines: [(String, String)]) -> String {
        lines.map { name, value in
            name + ":" + String(repeating: " ", count: max(1, 22 - name.count)) + value + "\n"
        }.joined()
    }
}

/// php-fpm's date style, `26/Nov/2026:16:41:34 +0000`.
enum LogTimeFormat {
    static func date(millis: UInt64) -> String {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(parts.tm_mday))/\(months[Int(parts.tm_mon)])/\(parts.tm_year + 1900):"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
