/// The routes of the contract served so far, with the methods each allows and whether a token is needed.
enum Route: Equatable, Sendable {
    case available
    case health
    case installed
    case updates
    case audit
    case info(slug: String)
    case versions(slug: String)
    case install(slug: String)
    case uninstall(slug: String)
    case status(slug: String)
    case repair(slug: String)
    case update(slug: String)
    case setEnabled(slug: String, enabled: Bool)
    case setModuleEnabled(slug: String, module: String, enabled: Bool)
    case share(slug: String)
    case shared
    case acceptShare(id: String)
    case settleShare(id: String)
    case bulkInstall(slug: String)
    case bulkUninstall(slug: String)
    case purgeUser(userID: String)
    case openAPI
    /// Operator routes (not in the contract; nginx lets only loopback reach them).
    case metrics
    case poolStatus

    var allowedMethods: [String] {
        switch self {
        case .available, .health, .installed, .updates, .audit, .info, .versions, .status, .shared, .openAPI,
             .metrics, .poolStatus: ["GET"]
        case .install, .repair, .setEnabled, .setModuleEnabled, .share, .acceptShare, .bulkInstall, .bulkUninstall: ["POST"]
        case .uninstall, .settleShare, .purgeUser: ["DELETE"]
        case .update: ["PUT"]
        }
    }

    /// Public routes verify a token when one is sent, and never need one.
    var isPublic: Bool {
        switch self {
        case .available, .health, .info, .versions, .openAPI, .metrics, .poolStatus: true
        default: false
        }
    }

    var isAdminOnly: Bool {
        switch self {
        case .bulkInstall, .bulkUninstall, .purgeUser: true
        default: false
        }
    }

    static let prefix = "/api/plugins/"

    /// Matches a raw path. Segments are split before percent-decoding, so an encoded `/` stays
    /// inside its segment (and is then refused as a slug), never becomes a separator.
    static func match(path: String) -> Route? {
        guard path.utf8.starts(with: prefix.utf8) else { return nil }
        // Split on the byte `/` (which never occurs inside a multi-byte character): splitting by
        // Character was 5 % of a status request.
        let segments = path.utf8.dropFirst(prefix.utf8.count)
            .split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard let first = segments.first, !first.isEmpty else { return nil }
        // An undecodable segment still routes: the slug check then answers 400, not 404.
        let slug = percentDecode(first) ?? first
        switch segments.count {
        case 1:
            switch first {
            case "available": return .available
            case "health": return .health
            case "installed": return .installed
            case "updates": return .updates
            case "audit": return .audit
            case "shared": return .shared
            case "openapi.json": return .openAPI
            case "metrics": return .metrics
            default: return nil
            }
        case 2 where first == "metrics":
            return segments[1] == "pool" ? .poolStatus : nil
        case 2 where first == "shared":
            return .settleShare(id: percentDecode(segments[1]) ?? segments[1])
        case 2 where first == "users":
            return .purgeUser(userID: percentDecode(segments[1]) ?? segments[1])
        case 3 where first == "shared" && segments[2] == "accept":
            return .acceptShare(id: percentDecode(segments[1]) ?? segments[1])
        case 2:
            switch segments[1] {
            case "info": return .info(slug: slug)
            case "versions": return .versions(slug: slug)
            case "install": return .install(slug: slug)
            case "uninstall": return .uninstall(slug: slug)
            case "status": return .status(slug: slug)
            case "repair": return .repair(slug: slug)
            case "update": return .update(slug: slug)
            case "enable": return .setEnabled(slug: slug, enabled: true)
            case "disable": return .setEnabled(slug: slug, enabled: false)
            case "share": return .share(slug: slug)
            case "bulk-install": return .bulkInstall(slug: slug)
            case "bulk-uninstall": return .bulkUninstall(slug: slug)
            default: return nil
            }
        case 4 where segments[1] == "modules" && !segments[2].isEmpty:
            let module = percentDecode(segments[2]) ?? segments[2]
            switch segments[3] {
            case "enable": return .setModuleEnabled(slug: slug, module: module, enabled: true)
            case "disable": return .setModuleEnabled(slug: slug, module: module, enabled: false)
            default: return nil
            }
        default:
            return nil
        }
    }
}

extension Route {
    /// The route's template, as the request log and the metrics name it (``MetricsSchema/routes``).
    var template: String {
        switch self {
        case .available: "/api/plugins/available"
        case .health: "/api/plugins/health"
        case .installed: "/api/plugins/installed"
        case .updates: "/api/plugins/updates"
        case .audit: "/api/plugins/audit"
        case .info: "/api/plugins/{slug}/info"
        case .versions: "/api/plugins/{slug}/versions"
        case .install: "/api/plugins/{slug}/install"
        case .uninstall: "/api/plugins/{slug}/uninstall"
        case .status: "/api/plugins/{slug}/status"
        case .repair: "/api/plugins/{slug}/repair"
        case .update: "/api/plugins/{slug}/update"
        case .setEnabled(_, let enabled): enabled ? "/api/plugins/{slug}/enable" : "/api/plugins/{slug}/disable"
        case .setModuleEnabled(_, _, let enabled):
            enabled ? "/api/plugins/{slug}/modules/{module}/enable" : "/api/plugins/{slug}/modules/{module}/disable"
        case .share: "/api/plugins/{slug}/share"
        case .shared: "/api/plugins/shared"
        case .acceptShare: "/api/plugins/shared/{share_id}/accept"
        case .settleShare: "/api/plugins/shared/{share_id}"
        case .bulkInstall: "/api/plugins/{slug}/bulk-install"
        case .bulkUninstall: "/api/plugins/{slug}/bulk-uninstall"
        case .purgeUser: "/api/plugins/users/{user_id}"
        case .openAPI: "/api/plugins/openapi.json"
        case .metrics: "/api/plugins/metrics"
        case .poolStatus: "/api/plugins/metrics/pool"
        }
    }

    /// The slug the path names, as sent (the log shows what was asked for).
    var slug: String? {
        switch self {
        case .info(let slug), .versions(let slug), .install(let slug), .uninstall(let slug), .status(let slug),
             .repair(let slug), .update(let slug), .setEnabled(let slug, _), .setModuleEnabled(let slug, _, _),
             .share(let slug), .bulkInstall(let slug), .bulkUninstall(let slug):
            slug
        default: nil
        }
    }

    /// The lifecycle operation this route performs, for the operations-by-outcome counter.
    var operation: String? {
        switch self {
        case .install: "install"
        case .uninstall: "uninstall"
        case .update: "update"
        case .repair: "repair"
        case .setEnabled(_, let enabled): enabled ? "enable" : "disable"
        case .setModuleEnabled(_, _, let enabled): enabled ? "module_enable" : "module_disable"
        case .share: "share"
        case .acceptShare: "accept_share"
        case .settleShare: "settle_share"
        case .bulkInstall: "bulk_install"
        case .bulkUninstall: "bulk_uninstall"
        case .purgeUser: "purge_user"
        default: nil
        }
    }
}
