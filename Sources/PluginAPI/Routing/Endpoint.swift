import LifecycleCore
import PluginCatalog
import TokenAuth

/// One route of the API: method, path template, who may call it, the lifecycle operation it counts
/// as, and its handler. ``RouteTable/endpoints`` lists them all; routing, `405` with `Allow`, the
/// metrics label, the request log's route and the OpenAPI comparison read that list.
struct Endpoint: Sendable {
    enum Access: String, Sendable {
        /// No token needed; one that is sent is still verified (a bad one is 401).
        case `public`
        case user
        case admin
        /// A signed bundle URL's grant (in the path) stands for the caller; a token may still be
        /// sent, and must then be the grant's user's.
        case signed
    }

    /// Public handlers see the caller when a token was sent; the others always have one.
    enum Handler: Sendable {
        case anyone(@Sendable (PluginAPI, Call<Caller?>) throws -> HTTPResponse)
        case caller(@Sendable (PluginAPI, Call<Caller>) throws -> HTTPResponse)
        case grant(@Sendable (PluginAPI, Call<SignedCaller>) throws -> HTTPResponse)
    }

    let method: String
    /// The full path, `{name}` for a parameter: also the metrics label and the OpenAPI path.
    let template: String
    let access: Access
    /// The operations-by-outcome counter's label (``MetricsSchema/operations``), for routes that change something.
    let operation: String?
    /// Operator routes (metrics) are not part of the contract, so not in the OpenAPI document.
    let documented: Bool
    let handler: Handler

    static func `public`(_ method: String, _ template: String, documented: Bool = true,
                         _ handler: @escaping @Sendable (PluginAPI, Call<Caller?>) throws -> HTTPResponse) -> Endpoint {
        Endpoint(method: method, template: template, access: .public, operation: nil, documented: documented,
                 handler: .anyone(handler))
    }

    static func user(_ method: String, _ template: String, operation: String? = nil,
                     _ handler: @escaping @Sendable (PluginAPI, Call<Caller>) throws -> HTTPResponse) -> Endpoint {
        Endpoint(method: method, template: template, access: .user, operation: operation, documented: true,
                 handler: .caller(handler))
    }

    static func signed(_ method: String, _ template: String,
                       _ handler: @escaping @Sendable (PluginAPI, Call<SignedCaller>) throws -> HTTPResponse) -> Endpoint {
        Endpoint(method: method, template: template, access: .signed, operation: nil, documented: true,
                 handler: .grant(handler))
    }

    static func admin(_ method: String, _ template: String, operation: String? = nil,
                      _ handler: @escaping @Sendable (PluginAPI, Call<Caller>) throws -> HTTPResponse) -> Endpoint {
        Endpoint(method: method, template: template, access: .admin, operation: operation, documented: true,
                 handler: .caller(handler))
    }
}

/// The verified caller, built once at authentication.
struct Caller: Sendable {
    let user: UserID
    let isAdmin: Bool

    init(_ identity: Identity) throws {
        // The verifier applies the same user-id rule, so this does not throw for a verified token.
        user = try UserID(identity.userID)
        isAdmin = identity.isAdmin
    }

    init(grant: BundleGrant) throws {
        // The signer applies the same user-id rule, so this does not throw for a verified grant.
        user = try UserID(grant.user)
        isAdmin = false
    }
}

/// The caller of a signed route: the user its verified grant names (never an admin), the grant,
/// and the slug and decoded file path the grant was checked against.
struct SignedCaller: Sendable {
    let caller: Caller
    let grant: BundleGrant
    let slug: PluginSlug
    let path: String
    /// The second the grant was checked at (the answer's max-age counts from it).
    let checkedAt: Int
}

/// What a handler gets: the request, the path's parameters (percent-decoded), its JSON body, the
/// caller, and the operation context for the audit trail.
struct Call<Who: Sendable> {
    let request: HTTPRequest
    let parameters: RouteParameters
    let body: JSONRequestBody
    let caller: Who
    let context: OperationContext

    /// A parameter of the route's template (a handler naming one its template lacks is a bug: 500).
    func parameter(_ name: String) throws -> String {
        guard let value = parameters.value(name) else {
            throw LifecycleError.internalFailure(reason: "route has no parameter \(name)")
        }
        return value
    }

    /// The `{slug}` parameter, checked and canonicalised (400 `invalid_slug`).
    func slug() throws -> PluginSlug { try LifecycleService.slug(try parameter("slug")) }
}
