import Telemetry

/// Operator routes (not in the contract; nginx lets only loopback reach them): 404 when the
/// process keeps no shared counters.
extension PluginAPI {
    func metrics(_ call: Call<Caller?>) throws -> HTTPResponse {
        guard let metrics else { throw Problem.notFound(call.request.path) }
        return HTTPResponse(status: 200, headers: [("Content-Type", PrometheusExposition.contentType), ("Cache-Control", "no-store")],
                            body: Array(PrometheusExposition.render(try Self.snapshot(metrics)).utf8))
    }

    func poolStatus(_ call: Call<Caller?>) throws -> HTTPResponse {
        guard let metrics else { throw Problem.notFound(call.request.path) }
        let full = call.request.query["full"] != nil
        let snapshot = try Self.snapshot(metrics)
        if call.request.query["json"] != nil {
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                                body: PoolStatusView.json(snapshot, full: full))
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")],
                            body: Array(PoolStatusView.text(snapshot, full: full).utf8))
    }

    /// The summed counters, or 503: a sum taken without the pool's lock could be wrong.
    private static func snapshot(_ metrics: MetricsDirectory) throws -> MetricsSnapshot {
        do { return try metrics.snapshot() } catch {
            throw Problem(status: 503, code: "unavailable", detail: "The metrics cannot be read right now; retry shortly",
                          headers: [("Retry-After", Problem.retryAfterSeconds)])
        }
    }
}
