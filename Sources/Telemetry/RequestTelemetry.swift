#if canImport(Glibc)
import Glibc
#endif

/// One answered request, as the access log line and the counters see it. Never holds a token.
package struct RequestRecord: Sendable {
    package var requestID: String
    package var method: String
    /// Index into ``MetricsSchema/routes`` (0: no route matched).
    package var route: Int
    package var slug: String?
    /// The verified user id; nil when no valid token came with the request.
    package var user: String?
    package var status: Int
    package var micros: UInt64
    /// The lifecycle operation this request was, and `success` or its problem code.
    package var operation: (name: String, outcome: String)?

    package init(requestID: String, method: String, route: Int, slug: String? = nil, user: String? = nil,
                status: Int, micros: UInt64, operation: (name: String, outcome: String)? = nil) {
        self.requestID = requestID; self.method = method; self.route = route; self.slug = slug; self.user = user
        self.status = status; self.micros = micros; self.operation = operation
    }
}

/// A committed lifecycle change (one audit event), for the log.
package struct LifecycleChange: Sendable {
    package var requestID: String?
    package var actor: String
    package var user: String
    package var slug: String?
    package var action: String
    package var fromVersion: String?
    package var toVersion: String?
    package var outcome: String

    package init(requestID: String?, actor: String, user: String, slug: String?, action: String,
                fromVersion: String?, toVersion: String?, outcome: String) {
        self.requestID = requestID; self.actor = actor; self.user = user; self.slug = slug; self.action = action
        self.fromVersion = fromVersion; self.toVersion = toVersion; self.outcome = outcome
    }
}

/// A worker's request log and counters: one JSON line per request and per lifecycle change on
/// stderr, and the shared counters `GET /api/plugins/metrics` adds up.
package final class RequestTelemetry: Sendable {
    package let counters: WorkerCounters?
    let sink: LineSink?
    let pid = getpid()

    /// `sink` nil turns the request lines off (counters still count).
    package init(counters: WorkerCounters?, sink: LineSink? = .standardError) {
        self.counters = counters; self.sink = sink
    }

    package func requestStarted() { counters?.requestStarted() }

    package func requestFinished(_ record: RequestRecord) {
        counters?.requestFinished(route: record.route, status: record.status, micros: record.micros)
        if let operation = record.operation { counters?.operationFinished(operation.name, outcome: operation.outcome) }
        guard let sink else { return }
        sink.write(Self.line(record, pid: pid))
    }

    package func lifecycleChanged(_ change: LifecycleChange) {
        guard let sink else { return }
        sink.write(Self.line(change, pid: pid))
    }

    package func databaseBusyWait() { counters?.databaseBusyWait() }

    static func line(_ record: RequestRecord, pid: Int32) -> [UInt8] {
        var json = JSONObjectWriter()
        json.maxStringBytes = 256
        json.field("time", plainASCII: LogTime.nowBytes())
        json.field("level", "info")
        json.field("msg", "request")
        json.field("request_id", record.requestID)
        json.field("user", record.user)
        json.field("method", record.method)
        json.field("route", MetricsSchema.routes.indices.contains(record.route) ? MetricsSchema.routes[record.route] : "unmatched")
        json.field("slug", record.slug)
        json.field("status", record.status)
        json.field("duration_ms", thousandths: record.micros)
        json.field("worker_pid", pid)
        return json.finished(line: true)
    }

    static func line(_ change: LifecycleChange, pid: Int32) -> [UInt8] {
        var json = JSONObjectWriter()
        json.maxStringBytes = 256
        json.field("time", plainASCII: LogTime.nowBytes())
        json.field("level", "info")
        json.field("msg", "lifecycle")
        json.field("request_id", change.requestID)
        json.field("actor", change.actor)
        json.field("user", change.user)
        json.field("slug", change.slug)
        json.field("action", change.action)
        json.field("from_version", change.fromVersion)
        json.field("to_version", change.toVersion)
        json.field("outcome", change.outcome)
        json.field("worker_pid", pid)
        return json.finished(line: true)
    }
}
