import ArgumentParser
import FastCGITransport
import Foundation
import LifecycleCore
import Logging
import Posix
import Telemetry
import TokenAuth
import WorkerSupervisor

/// The master: prepares the data directory, migrates and recovers once, opens the listening
/// socket, then supervises a pool of `worker` processes that inherit it as fd 0.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the FastCGI worker pool (master process).")
    @OptionGroup var data: DataOptions
    @OptionGroup var auth: AuthOptions
    @OptionGroup var pool: PoolOptions
    @Option(help: "Unix socket to listen on (mode 0660; default DATA_DIR/run/fcgi.sock, with --host-id DATA_DIR/run/<host>/fcgi.sock).") var socket: String?
    @Option(help: "Loopback TCP address to listen on instead, e.g. 127.0.0.1:9000.") var listen: String?
    @Option(help: "Worker processes (default: one per core).") var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Write the master's pid here (default with --host-id: DATA_DIR/run/<host>/pool.pid).") var pidFile: String?
    @Option(help: "Seconds a draining worker gets before SIGKILL.") var drainTimeout: Int = 10
    @Option(name: .customLong("host-id"),
            help: "This host's name when several hosts share the data directory (letters, digits, '.', '_', '-'; staging folders then carry it). Env: PLUGIN_LIFECYCLE_HOST_ID. Default: the hostname and boot id.")
    var hostID: String?
    @Option(name: .customLong("lease-ttl"),
            help: "Seconds an operation's lease lasts unrenewed: a dead or stalled host's operation is rolled back by the next caller this long after its last renewal (2...300; default 10). Env: PLUGIN_LIFECYCLE_LEASE_TTL.")
    var leaseTTL: Double?

    /// The lease settings of the options over the environment's, as the workers get them.
    func leaseEnvironment() throws -> (settings: LeaseSettings, environment: [String: String]) {
        var environment = ProcessInfo.processInfo.environment
        if let hostID { environment[LeaseSettings.hostIDVariable] = hostID }
        if let leaseTTL { environment[LeaseSettings.ttlVariable] = String(leaseTTL) }
        data.passDatabaseURL(to: &environment)
        do {
            return (try LeaseSettings.fromEnvironment(environment), environment)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        // Handlers before anything that takes time or leaves files behind, and before the mask
        // is cleared (a signal pending under the inherited mask is delivered at once): an early
        // SIGTERM is then a clean stop, not a death by signal.
        WorkerSupervisor.installSignalHandlers()
        SignalMask.unblockAll()
        let logger = makeLogger("plugin-lifecycle.master")
        let (leases, workerEnvironment) = try leaseEnvironment()
        let service = try data.openService(logger: logger, leases: leases)
        // Installations from before signed bundle URLs have no bundle-secret: make the default one
        // here (O_EXCL, 0600, as `init` does), so an upgrade needs no extra step. A file named
        // with --bundle-secret-file is the operator's to provide.
        if auth.bundleSecretFile == nil {
            let path = auth.bundleSecretPath(dataDirectory: service.directory)
            if try SecretPolicy.createSecret(path: path) { logger.info("generated a bundle URL secret", metadata: ["path": "\(path)"]) }
        }
        // Refuse a bad secret here, once, rather than in every worker's restart loop.
        _ = try auth.callerChecks(dataDirectory: service.directory)
        try service.recoverInterruptedOperations()

        let listenFD: Int32
        if let listen {
            let parts = listen.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--listen wants HOST:PORT") }
            listenFD = try FastCGISocket.listen(host: String(parts[0]), port: port)
        } else {
            let path = socket ?? service.directory.runFolder(leases) + "/fcgi.sock"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            listenFD = try FastCGISocket.listen(unixPath: path)
        }
        // A named host writes its pid by default (`restore` finds it under `run/<host>/`); a single host only when asked.
        let pidFile = pidFile ?? (leases.namesStaging ? service.directory.runFolder(leases) + "/pool.pid" : nil)
        if let pidFile {
            try FileManager.default.createDirectory(atPath: (pidFile as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try "\(getpid())\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        }
        defer {
            if let pidFile { unlink(pidFile) }
            if listen == nil, let socket { unlink(socket) }
        }

        var arguments = ["worker", "--supervised", "--data-dir", service.directory.root]
        if let catalog = data.catalog { arguments += ["--catalog", catalog] }
        arguments += auth.arguments + pool.arguments
        let database = service.database
        var configuration = SupervisorConfiguration(
            executable: Self.executablePath(), arguments: arguments, workers: max(1, workers), listenFD: listenFD)
        configuration.drainTimeout = .seconds(drainTimeout)
        configuration.environment = workerEnvironment
        let metrics = MetricsDirectory(path: service.directory.metricsRoot(leases))
        defer { metrics.removeAll() }
        do {
            let poolCounters = try metrics.startPool(configuredWorkers: max(1, workers))
            configuration.events = { event in
                switch event {
                case .workerStarted: poolCounters.workerStarted()
                case .workerExited(let pid, let replaced): poolCounters.workerExited(pid: pid, restarting: replaced)
                case .reloadStarted: poolCounters.reloaded()
                }
            }
        } catch {
            logger.warning("pool metrics unavailable", metadata: ["error": "\(error)"])
        }
        configuration.periodic = {
            do { try database.checkpoint() } catch { logger.warning("WAL checkpoint failed", metadata: ["error": "\(error)"]) }
            do { try service.recoverAbandonedLeases() } catch {
                logger.warning("recovery of abandoned leases failed", metadata: ["error": "\(error)"])
            }
        }
        logger.info("pool starting", metadata: [
            "workers": "\(workers)", "threads": "\(pool.threads)", "request_timeout": "\(pool.requestTimeout)", "pid": "\(getpid())",
            "host_id": "\(leases.host)", "lease_ttl": "\(leases.ttl)"])
        let code = WorkerSupervisor(configuration: configuration, logger: logger).run()
        logger.info("pool stopped", metadata: ["exit": "\(code)"])
        if code != 0 { throw ExitCode(code) }
    }

    /// The running binary, so workers are exactly the master's code even if the file on disk is replaced later... as long as /proc allows.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
