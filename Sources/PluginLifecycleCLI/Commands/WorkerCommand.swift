import ArgumentParser
import FastCGITransport
import Foundation
import LifecycleCore
import LifecycleStore
import Logging
import PluginAPI
import Posix
import Telemetry
import WorkerSupervisor

/// One FastCGI worker on the listening socket at fd 0: spawned by `serve`, or run alone under
/// spawn-fcgi or systemd socket activation.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", abstract: "Run one FastCGI worker on the listening socket at fd 0.")
    @OptionGroup var data: DataOptions
    @OptionGroup var auth: AuthOptions
    @OptionGroup var pool: PoolOptions
    @Flag(help: "Started by `serve`: exit when the master goes away.") var supervised = false

    func run() throws {
        // Handlers before anything that takes time or leaves files behind, and before the mask
        // is cleared (a signal pending under the inherited mask is delivered at once): an early
        // SIGTERM is then a clean stop, not a death by signal.
        FastCGIWorker.installSignalHandlers()
        SignalMask.unblockAll()
        let logger = makeLogger("plugin-lifecycle.worker")
        // This host's counters (`serve` passes its host id in the environment), so `/metrics` reports this host's pool.
        let metrics = MetricsDirectory(path: data.directory.metricsRoot(.process))
        let counters: WorkerCounters?
        do {
            counters = try metrics.startWorker(threads: pool.threads)
        } catch {
            // Serving matters more than counting: go on, and say why the figures lack this worker.
            logger.warning("metrics unavailable for this worker", metadata: ["error": "\(error)"])
            counters = nil
        }
        let telemetry = RequestTelemetry(counters: counters, sink: pool.requestLog ? .standardError : nil)
        let service = try LifecycleService(dataDirectory: data.dataDir, catalogRoot: data.catalog, logger: logger,
                                           observer: Self.observer(telemetry), location: data.location)
        let callers = try auth.callerChecks(dataDirectory: service.directory)
        if supervised { WorkerSupervisor.exitWhenParentDies(logger: logger) }
        let api = PluginAPI(service: service, verifier: callers.verifier, logger: logger, telemetry: telemetry, metrics: metrics,
                            bundleLinks: callers.bundleLinks)
        let worker = FastCGIWorker(configuration: pool.workerConfiguration(listenFD: 0), logger: logger)
        logger.info("worker ready", metadata: ["pid": "\(getpid())", "threads": "\(pool.threads)"])
        let code = worker.run { request in
            let (response, afterSend) = api.respond(HTTPRequest(
                cgiParams: request.params, body: request.body,
                bodyTooLarge: request.bodyExceededLimit, paramsTooLarge: request.paramsExceededLimit))
            return FastCGIResponse(status: response.status, headers: response.headers, body: response.body, afterSend: afterSend)
        }
        if let counters, !supervised { unlink(counters.path) }  // alone, no master folds it
        throw ExitCode(code)
    }

    /// Committed lifecycle changes become log lines; lock waits become a counter.
    static func observer(_ telemetry: RequestTelemetry) -> DatabaseObserver {
        DatabaseObserver(
            auditCommitted: { event in
                telemetry.lifecycleChanged(LifecycleChange(
                    requestID: event.requestID, actor: event.actor, user: event.userID, slug: event.pluginSlug,
                    action: event.action, fromVersion: event.fromVersion, toVersion: event.toVersion, outcome: event.outcome))
            },
            busyWait: { telemetry.databaseBusyWait() })
    }
}

/// Sizing of the pool and of each worker.
struct PoolOptions: ParsableArguments {
    @Option(help: "Accept-loop threads per worker process (4: the best GET status of the shapes measured on 2 cores; docs/performance.md).")
    var threads: Int = 4
    @Option(help: "Request body limit in bytes (413 above).") var maxBodyBytes: Int = 1 << 20
    @Option(help: "Recycle a worker after this many requests (php-fpm's pm.max_requests); 0 = never.") var maxRequests: Int = 0
    // Twice nginx's fastcgi_read_timeout (60 s): nginx answers 504 for a slow request first; this
    // only ends workers whose thread is stuck (php-fpm's request_terminate_timeout).
    @Option(help: "Seconds a request may run before its worker logs it and exits (the master replaces it); 0 = no limit.")
    var requestTimeout: Int = 120
    @Flag(inversion: .prefixedNo, help: "One JSON line per request on stderr (nginx's access log may be enough).")
    var requestLog = true

    func validate() throws {
        guard requestTimeout >= 0 else { throw ValidationError("--request-timeout wants seconds, or 0 for no limit") }
    }

    func workerConfiguration(listenFD: Int32) -> FastCGIWorkerConfiguration {
        var configuration = FastCGIWorkerConfiguration()
        configuration.listenFD = listenFD
        configuration.threads = max(1, threads)
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxRequests = maxRequests > 0 ? maxRequests : nil
        configuration.requestTimeout = requestTimeout > 0 ? .seconds(requestTimeout) : nil
        return configuration
    }

    var arguments: [String] {
        ["--threads", String(threads), "--max-body-bytes", String(maxBodyBytes), "--max-requests", String(maxRequests),
         "--request-timeout", String(requestTimeout), requestLog ? "--request-log" : "--no-request-log"]
    }
}
