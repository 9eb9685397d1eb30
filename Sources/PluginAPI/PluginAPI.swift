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
public final class PluginAPI: Sendable {
    let service: LifecycleService
    let verifier: TokenVerifier
    let logger: Logger
    /// The request log and the shared counters (nil: neither, as in most in-process tests).
    let telemetry: RequestTelemetry?
    /// Where every worker's counters are, for `metrics` and `metrics/pool` (nil: those answer 404).
    let metrics: MetricsDirectory?

    public init(service: LifecycleService, verifier: TokenVerifier, logger: Logger,
                telemetry: RequestTelemetry? = nil, metrics: MetricsDirectory? = nil) {
        self.service = service; self.verifier = verifier; self.logger = logger
        self.telemetry = telemetry; self.metrics = metrics
    }

    /// What the request log and the counters learn while a request is handled.
    struct Trace {
        var route: Route?
        var user: String?
        var problemCode: String?
    }

    /// The response, with the request's log line and counts already recorded.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let (response, afterSend) = respond(request)
        afterSend?()
        return response
    }

    /// The response, and what to run once it has been sent (nil without telemetry): the log line
    /// and the counters, so a slow log never delays an answer. The duration ends there too.
    public func respond(_ request: HTTPRequest) -> (response: HTTPResponse, afterSend: (@Sendable () -> Void)?) {
        let started = telemetry == nil ? 0 : WorkerCounters.now()
        telemetry?.requestStarted()
        var trace = Trace()
        var response: HTTPResponse
        do {
            response = try route(request, &trace)
        } catch let problem as Problem {
            trace.problemCode = problem.code
            response = problem.response(instance: Self.instance(request.path), requestID: request.requestID)
        } catch let error as LifecycleError {
            if case .internalFailure(let reason) = error {
                logger.error("internal error", metadata: ["request_id": "\(request.requestID)", "reason": "\(reason)",
                                                          "path": "\(Self.instance(request.path))"])
            } else if case .storageUnavailable(let reason) = error {
                logger.error("storage unavailable", metadata: ["request_id": "\(request.requestID)", "reason": "\(reason)"])
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
        let operation = trace.route?.operation.flatMap { name in
            trace.user == nil ? nil : (name: name, outcome: trace.problemCode ?? "success")
        }
        return RequestRecord(requestID: request.requestID, method: request.method,
                             route: trace.route.map { MetricsSchema.routeIndex($0.template) } ?? 0,
                             slug: trace.route?.slug, user: trace.user, status: status, micros: 0,
                             operation: operation)
    }

    /// `instance` echoes the path, bounded and without control characters (it is the caller's input).
    static func instance(_ path: String) -> String {
        String(path.prefix(256).unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }

    private func route(_ request: HTTPRequest, _ trace: inout Trace) throws -> HTTPResponse {
        guard let route = Route.match(path: request.path) else { throw Problem.notFound(request.path) }
        trace.route = route
        let method = request.method == "HEAD" ? "GET" : request.method
        guard route.allowedMethods.contains(method) else { throw Problem.methodNotAllowed(route.allowedMethods) }

        let identity = try authenticate(request, required: !route.isPublic)
        trace.user = identity?.userID
        if route.isAdminOnly && identity?.isAdmin != true { throw Problem.forbidden }
        if request.paramsTooLarge { throw Problem.badRequest("The request headers are over the limit") }
        if request.bodyTooLarge { throw Problem.payloadTooLarge }
        let body = try JSONRequestBody(request)
        let context = OperationContext(actor: identity?.userID ?? "anonymous", requestID: request.requestID)

        switch route {
        case .health:
            try service.health()
            return success(200, "ok", HealthData(database: "ok", catalog: "ok", workerPID: Int(getpid())))

        case .metrics:
            guard let metrics else { throw Problem.notFound(request.path) }
            return HTTPResponse(status: 200, headers: [("Content-Type", PrometheusExposition.contentType), ("Cache-Control", "no-store")],
                                body: Array(PrometheusExposition.render(try Self.snapshot(metrics)).utf8))

        case .poolStatus:
            guard let metrics else { throw Problem.notFound(request.path) }
            let full = request.query["full"] != nil
            let snapshot = try Self.snapshot(metrics)
            if request.query["json"] != nil {
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                                    body: PoolStatusView.json(snapshot, full: full))
            }
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")],
                                body: Array(PoolStatusView.text(snapshot, full: full).utf8))

        case .openAPI:
            // The document itself, not wrapped in the success envelope.
            return cacheable(request, HTTPResponse(status: 200, headers: [("Content-Type", "application/json")],
                                                   body: OpenAPIDocument.bytes))

        case .available:
            let user = try identity.map { try UserID($0.userID) }
            let list = try service.available(for: user)
            return cacheable(request, success(200, "\(list.totalCount) plugins available", list))

        case .info(let raw):
            let info = try service.info(slug: raw)
            return cacheable(request, success(200, "Plugin '\(info.pluginSlug)'", info))

        case .install(let raw):
            let user = try UserID(identity!.userID)
            let slug = try Self.slug(raw)
            let version = try body.optionalString("version").map { try Self.version($0) }
            let result = try service.install(user: user, slug: slug, version: version, context: context)
            return success(201, "Plugin '\(result.pluginSlug)' installed", result)

        case .uninstall(let raw):
            let user = try UserID(identity!.userID)
            let cascade: Bool
            switch request.query["cascade"] {
            case nil, "", "false", "0": cascade = false
            case "true", "1": cascade = true
            case let other?: throw Problem.badRequest("cascade must be true or false, not '\(other.prefix(20))'")
            }
            let result = try service.uninstall(user: user, slug: try Self.slug(raw), cascade: cascade, context: context)
            return success(200, "Plugin '\(result.pluginSlug)' uninstalled", result)

        case .status(let raw):
            let user = try UserID(identity!.userID)
            let verify: VerifyMode
            switch request.query["verify"] {
            case nil, "", "size", "sizes", "default": verify = .sizes
            case "full": verify = .full
            case let other?: throw Problem.badRequest("verify must be 'full' or absent, not '\(other.prefix(20))'")
            }
            let report = try service.status(user: user, slug: try Self.slug(raw), verify: verify)
            return cacheable(request, HTTPResponse(status: 200, headers: [("Content-Type", "application/json")],
                                                   body: SuccessBody.status(report)))

        case .versions(let raw):
            let list = try service.versions(slug: raw)
            return cacheable(request, success(200, "\(list.versions.count) versions of '\(list.pluginSlug)'", list))

        case .update(let raw):
            let user = try UserID(identity!.userID)
            let slug = try Self.slug(raw)
            let version = try body.optionalString("version").map { try Self.version($0) }
            let result = try service.update(user: user, slug: slug, version: version, context: context)
            let message = result.previousVersion == result.newVersion
                ? "Plugin '\(result.pluginSlug)' is already at version \(result.newVersion)"
                : "Plugin '\(result.pluginSlug)' updated from \(result.previousVersion) to \(result.newVersion)"
            return success(200, message, result)

        case .installed:
            let list = try service.installed(user: try UserID(identity!.userID))
            return success(200, "\(list.totalCount) plugins installed", list)

        case .updates:
            let list = try service.updates(user: try UserID(identity!.userID))
            return success(200, "\(list.totalCount) updates available", list)

        case .setEnabled(let raw, let enabled):
            let state = try service.setEnabled(enabled, user: try UserID(identity!.userID), slug: try Self.slug(raw), context: context)
            return success(200, "Plugin '\(state.pluginSlug)' \(enabled ? "enabled" : "disabled")", state)

        case .setModuleEnabled(let raw, let module, let enabled):
            let state = try service.setEnabled(enabled, user: try UserID(identity!.userID), slug: try Self.slug(raw),
                                               module: module, context: context)
            return success(200, "Module '\(module)' of '\(state.pluginSlug)' \(enabled ? "enabled" : "disabled")", state)

        case .audit:
            let caller = try UserID(identity!.userID)
            let limit: Int
            switch request.query["limit"] {
            case nil, "": limit = 50
            case let text?:
                guard let value = Int(text), (1...500).contains(value) else { throw Problem.badRequest("limit must be 1 to 500") }
                limit = value
            }
            var cursor: Int64?
            if let text = request.query["cursor"], !text.isEmpty {
                guard let value = Int64(text), value > 0 else { throw Problem.badRequest("cursor is not one this service gave") }
                cursor = value
            }
            var subject: UserID? = caller
            if let requested = request.query["user_id"], !requested.isEmpty {
                guard let requestedUser = try? UserID(requested) else { throw Problem.badRequest("user_id is not a valid user id") }
                if requestedUser != caller && !identity!.isAdmin { throw Problem.forbidden }
                subject = requestedUser
            } else if identity!.isAdmin {
                subject = nil
            }
            let page = try service.audit(user: subject, limit: limit, cursor: cursor)
            return success(200, "\(page.events.count) events", page)

        case .share(let raw):
            let user = try UserID(identity!.userID)
            let slug = try Self.slug(raw)
            let recipients = try body.userIDs()
            if recipients.contains(user) { throw Problem.badRequest("user_ids must not contain yourself") }
            let list = try service.share(user: user, slug: slug, with: recipients, context: context)
            return success(201, "Plugin '\(slug.value)' offered to \(list.shares.count) users", list)

        case .shared:
            let direction: LifecycleService.ShareDirection
            switch request.query["direction"] {
            case nil, "", "received": direction = .received
            case "sent": direction = .sent
            case let other?: throw Problem.badRequest("direction must be received or sent, not '\(other.prefix(20))'")
            }
            let list = try service.shared(user: try UserID(identity!.userID), direction: direction)
            return success(200, "\(list.shares.count) offers", list)

        case .acceptShare(let id):
            let result = try service.accept(user: try UserID(identity!.userID), shareID: id, context: context)
            return success(201, "Plugin '\(result.install.pluginSlug)' installed from share", result)

        case .settleShare(let id):
            let result = try service.settle(user: try UserID(identity!.userID), shareID: id, context: context)
            return success(200, "Share \(result.state)", result)

        case .bulkInstall(let raw):
            let slug = try Self.slug(raw)
            let users = try body.userIDs()
            let version = try body.optionalString("version").map { try Self.version($0) }
            let results = service.bulkInstall(slug: slug, users: users, version: version, context: context).map { user, result in
                switch result {
                case .success: return BulkResult.Outcome(userID: user.value, outcome: "installed")
                case .failure(.alreadyInstalled(_, let installed)):
                    return BulkResult.Outcome(userID: user.value, outcome: "already_installed", code: "already_installed",
                                              detail: "version \(installed) is installed")
                case .failure(let error):
                    return BulkResult.Outcome(userID: user.value, outcome: "failed", code: Problem(error).code, detail: Problem(error).detail)
                }
            }
            let bulk = BulkResult(pluginSlug: slug.value, results: results)
            return success(200, "Installed for \(bulk.succeeded) of \(results.count) users", bulk)

        case .bulkUninstall(let raw):
            let slug = try Self.slug(raw)
            let users = try body.userIDs()
            let results = service.bulkUninstall(slug: slug, users: users, context: context).map { user, result in
                switch result {
                case .success: return BulkResult.Outcome(userID: user.value, outcome: "uninstalled")
                case .failure(.notInstalled):
                    return BulkResult.Outcome(userID: user.value, outcome: "not_installed", code: "not_installed")
                case .failure(let error):
                    return BulkResult.Outcome(userID: user.value, outcome: "failed", code: Problem(error).code, detail: Problem(error).detail)
                }
            }
            let bulk = BulkResult(pluginSlug: slug.value, results: results)
            return success(200, "Uninstalled for \(bulk.succeeded) of \(results.count) users", bulk)

        case .purgeUser(let raw):
            guard let user = try? UserID(raw) else { throw Problem.badRequest("'\(raw.prefix(64))' is not a valid user id") }
            let result = try service.purge(user: user, context: context)
            return success(200, "User '\(user.value)' purged", result)

        case .repair(let raw):
            let user = try UserID(identity!.userID)
            let result = try service.repair(user: user, slug: try Self.slug(raw), context: context)
            let message = result.repairActions.isEmpty ? "Plugin '\(result.pluginSlug)' was already healthy"
                : "Plugin '\(result.pluginSlug)' repaired"
            return success(200, message, result)
        }
    }

    /// The summed counters, or 503: a sum taken without the pool's lock could be wrong.
    private static func snapshot(_ metrics: MetricsDirectory) throws -> MetricsSnapshot {
        do { return try metrics.snapshot() } catch {
            throw Problem(status: 503, code: "unavailable", detail: "The metrics cannot be read right now; retry shortly",
                          headers: [("Retry-After", Problem.retryAfterSeconds)])
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

    static func slug(_ raw: String) throws -> PluginSlug { try LifecycleService.slug(raw) }
    static func version(_ raw: String) throws -> SemanticVersion { try LifecycleService.version(raw) }

    private func success<T: Encodable>(_ status: Int, _ message: String, _ data: T) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")],
                     body: JSONBody.encode(SuccessEnvelope(message: message, data: data)))
    }

    /// The same for the hot path's payloads, which write their own JSON (byte-identical, tested).
    private func success<T: JSONWritable>(_ status: Int, _ message: String, _ data: T) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")],
                     body: JSONBody.envelope(message: message, data: data))
    }

    /// ETag on cacheable GETs, and 304 for a matching If-None-Match.
    private func cacheable(_ request: HTTPRequest, _ response: HTTPResponse) -> HTTPResponse {
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

struct HealthData: Encodable {
    let database: String
    let catalog: String
    let workerPID: Int
    enum CodingKeys: String, CodingKey { case database, catalog, workerPID = "worker_pid" }
}
