/// What the shared counters count, and where each counter sits in a process's counter file.
///
/// Every worker (and the master) owns one file of 64-bit words with this fixed layout, so that any
/// worker answering `GET /api/plugins/metrics` can add them all up without talking to the others.
/// Labels are fixed lists: a counter file never needs resizing, and no request can create a new
/// series (no label cardinality attack through the URL).
package enum MetricsSchema {
    /// Route templates, as Prometheus labels. Index 0 is every path that matched no route. The
    /// routes are declared in PluginAPI's `RouteTable` (a layer above this one); this list is their
    /// order in the counter file, and `RouteTests` fails when the two differ, so a new route is
    /// never counted as `unmatched` unnoticed.
    package static let routes: [String] = [
        "unmatched",
        "/api/plugins/available", "/api/plugins/health", "/api/plugins/installed", "/api/plugins/updates",
        "/api/plugins/audit", "/api/plugins/{slug}/info", "/api/plugins/{slug}/versions",
        "/api/plugins/{slug}/install", "/api/plugins/{slug}/uninstall", "/api/plugins/{slug}/status",
        "/api/plugins/{slug}/repair", "/api/plugins/{slug}/update", "/api/plugins/{slug}/enable",
        "/api/plugins/{slug}/disable", "/api/plugins/{slug}/modules/{module}/enable",
        "/api/plugins/{slug}/modules/{module}/disable", "/api/plugins/{slug}/share", "/api/plugins/shared",
        "/api/plugins/shared/{share_id}/accept", "/api/plugins/shared/{share_id}",
        "/api/plugins/{slug}/bulk-install", "/api/plugins/{slug}/bulk-uninstall", "/api/plugins/users/{user_id}",
        "/api/plugins/openapi.json", "/api/plugins/metrics", "/api/plugins/metrics/pool",
        "/api/plugins/{slug}/files/{path}", "/api/plugins/{slug}/bundles/{grant}/{path}",
    ]

    /// Lifecycle operations (the routes that change something), the `operation` labels of `RouteTable`.
    package static let operations: [String] = [
        "install", "uninstall", "update", "repair", "enable", "disable", "module_enable", "module_disable",
        "share", "accept_share", "settle_share", "bulk_install", "bulk_uninstall", "purge_user",
    ]

    /// Outcomes of an operation: `success`, or the contract's problem code. The last is the catch-all.
    package static let outcomes: [String] = [
        "success", "bad_request", "invalid_slug", "invalid_version", "forbidden", "plugin_not_found",
        "version_not_found", "not_installed", "share_not_found", "not_found", "already_installed",
        "operation_in_progress", "dependency_in_use", "payload_too_large", "unsupported_media_type",
        "dependency_unsatisfied", "invalid_package", "internal", "unavailable", "storage_unavailable",
        "insufficient_storage", "other",
    ]

    /// Upper bounds of the latency histogram's buckets, in seconds (the last bucket is +Inf).
    package static let latencyBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// A request slower than this counts as slow (php-fpm's slowlog idea, without the backtrace).
    package static let slowRequestMicroseconds: UInt64 = 1_000_000

    private static let routeIndices = Dictionary(uniqueKeysWithValues: routes.enumerated().map { ($1, $0) })
    package static func routeIndex(_ template: String) -> Int { routeIndices[template] ?? 0 }
    package static func operationIndex(_ name: String) -> Int? { operations.firstIndex(of: name) }
    package static func outcomeIndex(_ code: String) -> Int { outcomes.firstIndex(of: code) ?? outcomes.count - 1 }

    // MARK: - Layout (indices of 64-bit words)

    static let magic: UInt64 = 0x504C_4D45_5452_4943  // "PLMETRIC"
    /// Changes whenever a label list, a bound or the layout changes: during a reload old and new
    /// workers run side by side, and a file of another layout is ignored rather than misread.
    static let layoutVersion: UInt64 = {
        let text = [routes, operations, outcomes, latencyBounds.map { "\($0)" }].map { $0.joined(separator: ",") }
            .joined(separator: "|") + "|\(headerWords),\(routeCapacity),\(statusSlots),\(operationCapacity),\(outcomeCapacity)"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }()

    /// Header words.
    enum Header: Int, CaseIterable {
        case magic = 0, version, pid, role, startedMillis, folded, threads, busyThreads, maxBusyThreads,
             requests, slowRequests, databaseBusyWaits, lastRoute, lastStatus, lastDurationMicros, lastFinishedMillis,
             configuredWorkers, liveWorkers, restarts, reloads
    }
    static let headerWords = 32

    static let routeCapacity = 32
    static let statusSlots = 500  // 100 ... 599
    static let histogramWords = latencyBounds.count + 2  // buckets, +Inf, sum of microseconds
    static let operationCapacity = 16
    static let outcomeCapacity = 32

    static let requestsOffset = headerWords
    static let histogramOffset = requestsOffset + routeCapacity * statusSlots
    static let operationsOffset = histogramOffset + routeCapacity * histogramWords
    static let totalWords = operationsOffset + operationCapacity * outcomeCapacity

    /// The words a dead worker's file adds to the master's (everything but the header's state).
    static let summedRange = requestsOffset..<totalWords
    static let summedHeader: [Header] = [.requests, .slowRequests, .databaseBusyWaits]

    static func requestWord(route: Int, status: Int) -> Int {
        requestsOffset + route * statusSlots + (min(max(status, 100), 599) - 100)
    }

    static func bucketWord(route: Int, bucket: Int) -> Int { histogramOffset + route * histogramWords + bucket }
    static func latencySumWord(route: Int) -> Int { histogramOffset + route * histogramWords + latencyBounds.count + 1 }

    static func operationWord(operation: Int, outcome: Int) -> Int {
        operationsOffset + operation * outcomeCapacity + outcome
    }

    static func bucket(forMicroseconds micros: UInt64) -> Int {
        let seconds = Double(micros) / 1_000_000
        return latencyBounds.firstIndex { seconds <= $0 } ?? latencyBounds.count
    }
}

/// What a counter file belongs to.
package enum CounterFileRole: UInt64, Sendable {
    case worker = 1
    /// The master's file: pool figures, plus the counts of workers that have exited.
    case pool = 2
}
