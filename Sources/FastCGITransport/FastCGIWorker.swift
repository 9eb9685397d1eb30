import CFastCGI
import Logging

#if canImport(Glibc)
import Glibc
#endif
import Posix

/// A FastCGI worker process's request loop: `threads` accept loops on the inherited listening
/// socket, each handing a copied ``FastCGIRequest`` to the handler and writing its
/// ``FastCGIResponse`` back.
///
/// ```swift
/// let worker = FastCGIWorker(configuration: .init(threads: 8), logger: logger)
/// exit(worker.run { request in FastCGIResponse(status: 200, body: Array("hi".utf8)) })
/// ```
///
/// ## Drain
/// No thread ever blocks inside `accept()`. Each waits in `poll()` on the listening socket and on
/// a private wake pipe; the listening socket is switched to non-blocking, so a thread that loses
/// the race for a connection to a sibling thread or process gets `EAGAIN` and goes back to
/// `poll()`. ``requestStop()`` (called by the SIGTERM/SIGINT path, or when `maxRequests` is
/// reached) writes one byte to the wake pipe: every idle thread wakes at once and leaves, every
/// busy thread finishes the request in hand (its reads and writes are never interrupted) and
/// leaves, and ``run(_:)`` returns 0. Connections still in the listen backlog are left to the
/// sibling workers; the shared listening socket is never shut down.
///
/// ## Request deadline
/// With `requestTimeout` set, a watchdog thread checks when each accept thread's request started.
/// Once one is past the deadline it logs every late request, stops accepting, gives the other
/// requests in flight up to ``timeoutGrace`` to finish, and ends the process with
/// ``requestTimeoutExitStatus`` (nginx answers the stuck request 502; the master starts a new
/// worker).
///
/// A connection nginx keeps open (`fastcgi_keep_conn on`) is watched the same way between
/// requests and closed on drain.
package final class FastCGIWorker: Sendable {
    package let configuration: FastCGIWorkerConfiguration
    private let logger: Logger
    private let state = Locked(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let watchdog: RequestWatchdog?
    /// Held by the one accept loop that waits on the listening socket; counts the turns taken. (Not
    /// `Locked<Void>`: a zero-sized value shares its address with the lock, which TSan reports.)
    private let acceptGate = Locked(0)
    private let timeoutAction: @Sendable () -> Void

    /// The exit status of a worker ended by its request deadline (EX_SOFTWARE).
    package static let requestTimeoutExitStatus: Int32 = 70
    /// How long the other requests in flight may still run once one request is past its deadline.
    package var timeoutGrace: Duration { min(configuration.requestTimeout ?? .zero, .seconds(5)) }

    private struct State {
        var stopRequested = false
        var served = 0
        var failed = false
    }

    package convenience init(configuration: FastCGIWorkerConfiguration, logger: Logger) {
        self.init(configuration: configuration, logger: logger) { _exit(FastCGIWorker.requestTimeoutExitStatus) }
    }

    /// `timeoutAction` ends the process; tests pass one that records the call instead.
    init(configuration: FastCGIWorkerConfiguration, logger: Logger, timeoutAction: @escaping @Sendable () -> Void) {
        self.configuration = configuration
        self.logger = logger
        self.timeoutAction = timeoutAction
        watchdog = configuration.requestTimeout.map { RequestWatchdog(timeout: $0, threads: configuration.threads) }
        var fds: [Int32] = [-1, -1]
        if !makePipe(&fds, nonBlocking: true) {
            logger.critical("cannot create the wake pipe", metadata: ["errno": "\(errno)"])
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Asks every accept loop to stop taking new requests; requests in flight are finished and
    /// then ``run(_:)`` returns. Safe from any thread, any number of times (not from a signal
    /// handler: use the built-in SIGTERM path for that).
    package func requestStop() {
        let first = state.withLock { s in
            defer { s.stopRequested = true }
            return !s.stopRequested
        }
        if first {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }

    /// Installs the SIGTERM/SIGINT handlers now, before the worker opens its database: a
    /// signal that arrives while it starts up waits on the pipe and ends ``run(_:)`` as a drain,
    /// instead of killing the process. Idempotent; ``run(_:)`` does it too.
    ///
    /// Installing them before `FCGX_Init` keeps libfcgi from installing its own, whose shutdown
    /// flag makes every later accept fail; for the same reason SIGUSR1 is ignored.
    @discardableResult
    package static func installSignalHandlers() -> Bool {
        SignalRelay.install([SIGTERM, SIGINT], ignoring: [SIGUSR1]) != nil
    }

    /// Whether ``requestStop()`` was called (or the signal path, or `maxRequests`, did it).
    package var isStopRequested: Bool { state.withLock { $0.stopRequested } }

    /// Requests answered so far by this worker.
    package var servedRequests: Int { state.withLock { $0.served } }

    /// Blocks. Runs `threads` accept loops (FCGX_Init once, one FCGX_Request per thread,
    /// FCGX_Accept_r / FCGX_Finish_r).
    /// SIGTERM/SIGINT: stop accepting, finish requests in flight, return 0 (drain). Returns when
    /// maxRequests reached too. Returns 1 when the listening socket is unusable. Call it once.
    package func run(_ handler: @escaping @Sendable (FastCGIRequest) -> FastCGIResponse) -> Int32 {
        let listenFD = configuration.listenFD
        var watcher: pthread_t? = nil
        if configuration.handlesSignals {
            // Before FCGX_Init, so that libfcgi sees handlers in place and leaves them alone.
            if Self.installSignalHandlers() {
                watcher = SignalRelay.startWatching { [logger, self] signo in
                    logger.notice("signal received: draining", metadata: ["signal": "\(signo)"])
                    self.requestStop()
                }
            }
        }
        defer { if let watcher { SignalRelay.stopWatching(watcher) } }

        guard LibFCGI.initialize() else {
            logger.critical("FCGX_Init failed")
            return 1
        }
        let flags = fcntl(listenFD, F_GETFL)
        guard flags >= 0, fcntl(listenFD, F_SETFL, flags | O_NONBLOCK) == 0 else {
            logger.critical("listening socket is not usable", metadata: ["fd": "\(listenFD)", "errno": "\(errno)"])
            return 1
        }

        logger.info("worker accepting", metadata: [
            "pid": "\(getpid())", "threads": "\(configuration.threads)", "fd": "\(listenFD)",
        ])
        var threads: [pthread_t] = []
        for index in 0..<configuration.threads {
            if let thread = startThread({ [self] in self.acceptLoop(index: index, handler: handler) }) {
                threads.append(thread)
            } else {
                logger.error("cannot start accept thread", metadata: ["index": "\(index)"])
            }
        }
        if threads.isEmpty { return 1 }
        let watchdogThread = watchdog?.start { [self] late in self.deadlinePassed(late) }
        for thread in threads { pthread_join(thread, nil) }
        if let watchdog, let watchdogThread { watchdog.stop(watchdogThread) }

        let (served, failed) = state.withLock { ($0.served, $0.failed) }
        logger.info("worker stopped", metadata: ["pid": "\(getpid())", "served": "\(served)"])
        return failed ? 1 : 0
    }

    /// On the watchdog's thread: log, drain the others briefly, end the process.
    private func deadlinePassed(_ late: [RequestWatchdog.Entry]) {
        let now = ContinuousClock.now
        for entry in late {
            logger.error("request exceeded the request timeout: ending the worker", metadata: [
                "pid": "\(getpid())", "method": "\(entry.method)", "uri": "\(entry.uri)",
                "request_id": "\(entry.requestID)", "running": "\(now - entry.started)",
                "timeout": "\(configuration.requestTimeout ?? .zero)",
            ])
        }
        requestStop()
        // No new requests arrive after requestStop(); wait for those still within their deadline.
        let timeout = configuration.requestTimeout ?? .zero
        let graceEnds = now + timeoutGrace
        while ContinuousClock.now < graceEnds,
              watchdog?.inFlight.contains(where: { ContinuousClock.now - $0.started <= timeout }) == true {
            sleepFor(.milliseconds(20))
        }
        logger.critical("exiting: a request is stuck past the request timeout", metadata: [
            "pid": "\(getpid())", "exit": "\(Self.requestTimeoutExitStatus)"])
        timeoutAction()
    }

    private func fail(_ message: Logger.Message, errno code: Int32) {
        logger.error(message, metadata: ["errno": "\(code)", "error": "\(String(cString: strerror(code)))"])
        state.withLock { $0.failed = true }
        requestStop()
    }

    private func acceptLoop(index: Int, handler: @Sendable (FastCGIRequest) -> FastCGIResponse) {
        var request = FCGX_Request()
        guard FCGX_InitRequest(&request, configuration.listenFD, FCGI_FAIL_ACCEPT_ON_INTR) == 0 else {
            fail("FCGX_InitRequest failed", errno: EINVAL)
            return
        }
        defer { FCGX_Free(&request, 1) }

        while !isStopRequested {
            // Between kept-alive requests the next one arrives on the open connection. New
            // connections are waited for by one thread at a time (leader/follower): with every
            // thread in poll() on the listening socket, each connection woke them all and all but
            // one found EAGAIN (strace: 8 polls and 6 failed accepts per request).
            let step = request.ipcFd < 0
                ? acceptGate.withLock { turns in
                    turns &+= 1
                    return waitAndAccept(&request, onListener: true)
                }
                : waitAndAccept(&request, onListener: false)
            guard case .accepted(let accepted) = step else {
                if case .retry = step { continue }
                return
            }
            if accepted < 0 {
                switch -accepted {
                case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED, ECONNRESET, EPROTO:
                    continue  // another thread or process took it, or the client left
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    logger.warning("accept: out of resources", metadata: ["errno": "\(-accepted)"])
                    usleep(50_000)
                    continue
                default:
                    fail("FCGX_Accept_r failed", errno: accepted == -9999 ? EIO : -accepted)
                    return
                }
            }

            let afterSend = serve(&request, slot: index, handler: handler)
            FCGX_Finish_r(&request)
            afterSend?()
            // After Finish: the answer is complete on the wire before the watchdog may exit.
            watchdog?.end(slot: index)

            let served = state.withLock { s in
                s.served += 1
                return s.served
            }
            if let limit = configuration.maxRequests, served >= limit {
                logger.info("max requests reached: recycling", metadata: ["served": "\(served)"])
                requestStop()
            }
        }
    }

    private enum Step { case accepted(Int32), retry, leave }

    /// Waits until the connection (or the listening socket) is readable or a stop is requested,
    /// then accepts. `.leave` on a stop or a failure (already reported).
    private func waitAndAccept(_ request: inout FCGX_Request, onListener: Bool) -> Step {
        if isStopRequested { return .leave }
        // Under load a connection is already waiting: accept it at once (the listening socket is
        // non-blocking) and poll only when there is none, one system call fewer per request.
        if onListener {
            let accepted = FCGX_Accept_r(&request)
            if accepted >= 0 || (-accepted != EAGAIN && -accepted != EWOULDBLOCK) { return .accepted(accepted) }
        }
        var fds = [
            pollfd(fd: onListener ? configuration.listenFD : request.ipcFd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
        ]
        if poll(&fds, 2, -1) < 0 {
            if errno == EINTR { return .retry }
            fail("poll failed", errno: errno)
            return .leave
        }
        if fds[1].revents != 0 { return .leave }
        if onListener, fds[0].revents & Int16(POLLNVAL | POLLERR) != 0 {
            fail("listening socket failed", errno: EBADF)
            return .leave
        }
        return .accepted(FCGX_Accept_r(&request))
    }

    private func serve(_ raw: inout FCGX_Request, slot: Int,
                       handler: @Sendable (FastCGIRequest) -> FastCGIResponse) -> (@Sendable () -> Void)? {
        let (params, paramBytes) = Self.copyParams(raw.envp)
        watchdog?.begin(slot: slot, params: params)
        let paramsOver = paramBytes > configuration.maxParamsBytes
        let declared = params["CONTENT_LENGTH"].flatMap { Int($0) }.map { max(0, $0) } ?? 0
        let bodyOver = declared > configuration.maxBodyBytes

        var body: [UInt8] = []
        if paramsOver || bodyOver {
            // Read and drop it: closing while nginx still writes the body makes it log a broken
            // pipe and answer 502 instead of our 413. Absurd sizes are not worth reading.
            Self.discard(raw.in, count: min(declared, max(configuration.maxBodyBytes * 16, 16 << 20)))
        } else if declared > 0 {
            body = Self.readBody(raw.in, count: declared)
        }

        let response = handler(FastCGIRequest(
            params: params, body: body, bodyExceededLimit: bodyOver, paramsExceededLimit: paramsOver))

        let head = response.encodedHead()
        let method = params["REQUEST_METHOD"] ?? ""
        guard Self.writeAll(head, to: raw.out),
              method == "HEAD" || Self.writeAll(response.body, to: raw.out)
        else {
            logger.debug("client went away before the response was written", metadata: [
                "path": "\(Self.pathOnly(params["REQUEST_URI"] ?? ""))", "errno": "\(FCGX_GetError(raw.out))",
            ])
            return response.afterSend
        }
        return response.afterSend
    }

    /// A URI without its query string: queries may carry what logs must not (the contract's are
    /// harmless, a client's mistakes need not be).
    static func pathOnly(_ uri: String) -> String {
        uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(uri[..<$0]) } ?? uri
    }

    /// Copies `NAME=value` strings; the first of duplicate names wins, as with `FCGX_GetParam`.
    static func copyParams(_ envp: FCGX_ParamArray?) -> ([String: String], Int) {
        var params: [String: String] = [:]
        var total = 0
        guard var cursor = envp else { return (params, 0) }
        while let entry = cursor.pointee {
            let length = strlen(entry)
            total += length
            let bytes = UnsafeRawBufferPointer(start: entry, count: length)
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(decoding: bytes[..<equals], as: UTF8.self)
                if params[name] == nil {
                    params[name] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
                }
            }
            cursor += 1
        }
        return (params, total)
    }

    private static func readBody(_ stream: UnsafeMutablePointer<FCGX_Stream>?, count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        buffer.withUnsafeMutableBytes { raw in
            while filled < count {
                let chunk = Int32(min(count - filled, 1 << 20))
                let got = FCGX_GetStr(raw.baseAddress!.advanced(by: filled).assumingMemoryBound(to: CChar.self), chunk, stream)
                if got <= 0 { break }  // end of stdin (shorter than declared) or a read error
                filled += Int(got)
            }
        }
        buffer.removeSubrange(filled...)
        return buffer
    }

    private static func discard(_ stream: UnsafeMutablePointer<FCGX_Stream>?, count: Int) {
        var scratch = [CChar](repeating: 0, count: 64 << 10)
        var left = count
        while left > 0 {
            let got = FCGX_GetStr(&scratch, Int32(min(left, scratch.count)), stream)
            if got <= 0 { return }
            left -= Int(got)
        }
    }

    /// False when the client is gone: FCGX_FFlush reports success even then, PutStr does not.
    private static func writeAll(_ bytes: [UInt8], to stream: UnsafeMutablePointer<FCGX_Stream>?) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let chunk = min(raw.count - offset, 1 << 20)
                let base = raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
                if FCGX_PutStr(base, Int32(chunk), stream) != Int32(chunk) { return false }
                offset += chunk
            }
            return true
        }
    }
}

/// libfcgi's process-wide initialisation, done once.
enum LibFCGI {
    private static let initialized: Bool = {
        // A write to a vanished client must fail with EPIPE, not kill the worker.
        SignalMask.ignoreUnlessHandled(SIGPIPE)
        return FCGX_Init() == 0
    }()

    static func initialize() -> Bool { initialized }
}
