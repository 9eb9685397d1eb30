/// The routes of the contract served so far, with the methods each allows and whether a token is needed.
enum Route: Equatable, Sendable {
    case available
    case health
    case info(slug: String)
    case install(slug: String)
    case uninstall(slug: String)
    case status(slug: String)
    case repair(slug: String)

    var allowedMethods: [String] {
        switch self {
        case .available, .health, .info, .status: ["GET"]
        case .install, .repair: ["POST"]
        case .uninstall: ["DELETE"]
        }
    }

    /// Public routes verify a token when one is sent, and never need one.
    var isPublic: Bool {
        switch self {
        case .available, .health, .info: true
        default: false
        }
    }

    static let prefix = "/api/plugins/"

    /// Matches a raw path. Segments are split before percent-decoding, so an encoded `/` stays
    /// inside its segment (and is then refused as a slug), never becomes a separator.
    static func match(path: String) -> Route? {
        guard path.hasPrefix(prefix) else { return nil }
        let segments = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch segments.count {
        case 1:
            switch segments[0] {
            case "available": return .available
            case "health": return .health
            default: return nil
            }
        case 2:
            // An undecodable segment still routes: the slug check then answers 400, not 404.
            let slug = percentDecode(segments[0]) ?? segments[0]
            guard !segments[0].isEmpty else { return nil }
            switch segments[1] {
            case "info": return .info(slug: slug)
            case "install": return .install(slug: slug)
            case "uninstall": return .uninstall(slug: slug)
            case "status": return .status(slug: slug)
            case "repair": return .repair(slug: slug)
            default: return nil
            }
        default:
            return nil
        }
    }
}
