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

    var allowedMethods: [String] {
        switch self {
        case .available, .health, .installed, .updates, .audit, .info, .versions, .status, .shared, .openAPI: ["GET"]
        case .install, .repair, .setEnabled, .setModuleEnabled, .share, .acceptShare, .bulkInstall, .bulkUninstall: ["POST"]
        case .uninstall, .settleShare, .purgeUser: ["DELETE"]
        case .update: ["PUT"]
        }
    }

    /// Public routes verify a token when one is sent, and never need one.
    var isPublic: Bool {
        switch self {
        case .available, .health, .info, .versions, .openAPI: true
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
            default: return nil
            }
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
