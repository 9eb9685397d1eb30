import Foundation
import LifecycleCore
import Logging
import PluginCatalog
import Telemetry
import TokenAuth

/// The HTTP face of the lifecycle: a request value in, a response value out.
///
/// Order of checks, as the contract says: unknown route 404, wrong method 405, then identity
/// (401/403), then input (400/413/415), then the operation.
package final class PluginAPI: Sendable {
    let service: LifecycleService
    let verifier: TokenVerifier
    let logger: Logger
    /// The request log and the shared counters (nil: neither, as in most in-process tests).
    let telemetry: RequestTelemetry?
    /// Where every worker's counters are, for `metrics` and `metrics/pool` (nil: those answer 404).
    let metrics: MetricsDirectory?
    /// Signs and checks bundle URLs (nil: none handed out, the signed route refuses every grant).
    let bundleLinks: BundleLinks?

    package init(service: LifecycleService, verifier: TokenVerifier, logger: Logger,
                telemetry: RequestTelemetry? = nil, metrics: MetricsDirectory? = nil, bundleLinks: BundleLinks? = nil) {
        self.service = service; self.verifier = verifier; self.logger = logger
        self.telemetry = telemetry; self.metrics = metrics; self.bundleLinks = bundleLinks
    }

    /// What the request log and the counters learn while a request is handled.
    struct Trace {
        /// The matched template (the metrics label), also when the method is then refused.
        var template: String?
        var slug: String?
        var operation: String?
        var user: String?
        var problemCode: String?
    }

    /// The response, with the request's log line and counts already recorded.
    package func handle(_ request: HTTPRequest) -> HTTPResponse {
        let (response, afterSend) = respond(request)
        afterSend?()
        return response
    }

    /// The response, and what to run once it has been sent (nil without telemetry): the log line
    /// and the counters, so a slow log never delays an answer. The duration ends there too.
    package func respond(_ request: HTTPRequest) -> (response: HTTPResponse, afterSend: (@Sendable () -> Void)?) {
        let started = telemetry == nil ? 0 : WorkerCounters.now()
        telemetry?.requestStarted()
        var trace = Trace()
        var response: HTTPResponse
        do {
            response = try route(request, &trace)
        } catch let failure as GrantFailure {
            if case .invalid(let reason) = failure {
                logger.info("bundle grant refused", metadata: ["request_id": "\(request.requestID)", "reason": "\(reason)"])
            }
            let problem = Problem(failure)
            trace.problemCode = problem.code
            response = problem.response(instance: Self.instance(request.path), requestID: request.requestID)
        } catch let problem as Problem {
            trace.problemCode = problem.code
            response = problem.response(instance: Self.instance(request.path), requestID: request.requestID)
        } catch let error as LifecycleError {
            if case .internalFailure(let reason) = error {
                logger.error("internal error", metadata: ["request_id": "\(request.requestID)", "reason": "\(reason)",
                                                          "path": "\(Self.instance(request.path))"])
            } else if case .storageUnavailable(let reason) = error {
                logger.error("storage unavailable", metadata: ["request_id": "\(request.requestID)", "reason": "\(reason)"])
            } else if case .databaseUnreachable(let reason) = error {
                logger.warning("database unreachable", metadata: ["request_id": "\(request.requestID)", "reason": "\(reason)"])
            }
            let problem = Problem(error)
            trace.problemCode = problem.code
            response = problem.response(instance: Self.instance(request.path), requestID: request.requestID)
        } catch {
            logger.error("unexpected error", metadata: ["request_id": "\(request.requestID)", "error": "\(error)"])
            let problem = Problem(LifecycleError.internalFailure(reason: "\(error)"))
            trace.problemCode = problem.code
            response = problem.response(instance: Self.instance(request.path), requestID: request.requestID)
        }
        response.headers.append(("X-Request-Id", request.requestID))
        guard let telemetry else { return (response, nil) }
        let record = Self.record(request, trace, status: response.status)
        return (response, {
            var finished = record
            finished.micros = WorkerCounters.now() - started
            telemetry.requestFinished(finished)
        })
    }

    private static func record(_ request: HTTPRequest, _ trace: Trace, status: Int) -> RequestRecord {
        // An operation counts once the caller is known: refusals before that are identity failures, not outcomes.
        let operation = trace.operation.flatMap { name in
            trace.user == nil ? nil : (name: name, outcome: trace.problemCode ?? "success")
        }
        return RequestRecord(requestID: request.requestID, method: request.method,
                             route: trace.template.map(MetricsSchema.routeIndex) ?? 0,
                             slug: trace.slug, user: trace.user, status: status, micros: 0,
                             operation: operation)
    }

    /// `instance` echoes the path, bounded and without control characters (it is the caller's input).
    static func instance(_ path: String) -> String {
        String(path.prefix(256).unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }

    private func route(_ request: HTTPRequest, _ trace: inout Trace) throws -> HTTPResponse {
        guard let match = RouteTable.matcher.match(path: request.path) else { throw Problem.notFound(request.path) }
        trace.template = match.leaf.template
        trace.slug = match.parameters.value("slug")
        let method = request.method == "HEAD" ? "GET" : request.method
        guard let index = match.leaf.endpoint(for: method) else { throw Problem.methodNotAllowed(match.leaf.methods) }
        let endpoint = RouteTable.endpoints[index]
        trace.operation = endpoint.operation

        let identity = try authenticate(request, required: endpoint.access != .public && endpoint.access != .signed)
        trace.user = identity?.userID
        let caller = try identity.map(Caller.init)
        if endpoint.access == .admin && caller?.isAdmin != true { throw Problem.forbidden }
        if request.paramsTooLarge { throw Problem.badRequest("The request headers are over the limit") }
        if request.bodyTooLarge { throw Problem.payloadTooLarge }
        let body = try JSONRequestBody(request)
        let context = OperationContext(actor: identity?.userID ?? "anonymous", requestID: request.requestID)

        switch endpoint.handler {
        case .anyone(let handle):
            return try handle(self, Call(request: request, parameters: match.parameters, body: body, caller: caller, context: context))
        case .caller(let handle):
            // A route that is not public has authenticated (or thrown) above.
            guard let caller else { throw Problem(AuthFailure.missingToken) }
            return try handle(self, Call(request: request, parameters: match.parameters, body: body, caller: caller, context: context))
        case .grant(let handle):
            let signed = try verifiedGrant(match.parameters, token: caller)
            trace.user = signed.grant.user
            return try handle(self, Call(request: request, parameters: match.parameters, body: body, caller: signed,
                                         context: OperationContext(actor: signed.grant.user, requestID: request.requestID)))
        }
    }

    private func authenticate(_ request: HTTPRequest, required: Bool) throws -> Identity? {
        if !required && request.authorization == nil { return nil }
        switch verifier.verify(authorizationHeader: request.authorization) {
        case .success(let identity): return identity
        case .failure(let failure):
            if case .invalidToken(let reason) = failure {
                logger.info("token refused", metadata: ["request_id": "\(request.requestID)", "reason": "\(reason)"])
            }
            throw Problem(failure)
        }
    }

    func success<T: Encodable>(_ status: Int, _ message: String, _ data: T) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")],
                     body: JSONBody.encode(SuccessEnvelope(message: message, data: data)))
    }

    /// The same for the hot path's payloads, which write their own JSON (byte-identical, tested).
    func success<T: JSONWritable>(_ status: Int, _ message: String, _ data: T) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")],
                     body: JSONBody.envelope(message: message, data: data))
    }

    /// ETag on cacheable GETs, and 304 for a matching If-None-Match.
    func cacheable(_ request: HTTPRequest, _ response: HTTPResponse) -> HTTPResponse {
        let tag = EntityTag.of(response.body)
        var response = response
        // Per-user answers must not be shared by caches between users.
        response.headers.append(("Vary", "Authorization"))
        response.headers.append(("ETag", tag))
        if let header = request.ifNoneMatch, EntityTag.matches(header, tag) {
            return HTTPResponse(status: 304, headers: response.headers.filter { $0.name != "Content-Type" }, body: [])
        }
        return response
    }
}

