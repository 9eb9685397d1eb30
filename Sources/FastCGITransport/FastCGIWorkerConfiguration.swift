/// How a ``FastCGIWorker`` accepts and bounds requests.
package struct FastCGIWorkerConfiguration: Sendable {
    /// The inherited listening socket (FastCGI convention: fd 0).
    package var listenFD: Int32 = 0
    /// Accept-loop threads in this process; a slow handler occupies only its own thread.
    package var threads: Int = 4
    /// Larger bodies are not read: the handler sees `bodyExceededLimit` and should answer 413.
    package var maxBodyBytes: Int = 1 << 20
    /// Sum of param name and value lengths. Over it, the handler is still called, with every
    /// param, an empty body and `paramsExceededLimit` set, so the API layer can answer with its
    /// own problem document (400 `bad_request`) rather than the transport inventing one.
    package var maxParamsBytes: Int = 64 << 10
    /// php-fpm's `pm.max_requests`: once this many requests were served, stop accepting, drain
    /// and return 0 so the master starts a fresh process. With several threads a few more
    /// (at most `threads - 1`) may be served while the others finish.
    package var maxRequests: Int? = nil
    /// php-fpm's `request_terminate_timeout`: a request still in its handler this long after it
    /// was accepted makes the worker log it and exit with ``FastCGIWorker/requestTimeoutExitStatus``
    /// (after giving the other requests in flight a short grace), since a stuck thread cannot be
    /// cancelled. nil = no deadline.
    package var requestTimeout: Duration? = nil
    /// Install SIGTERM/SIGINT handlers that drain (see ``FastCGIWorker/run(_:)``). Turn off only
    /// when embedding the worker in a process that owns its signals (tests).
    package var handlesSignals: Bool = true

    package init(
        listenFD: Int32 = 0, threads: Int = 4, maxBodyBytes: Int = 1 << 20,
        maxParamsBytes: Int = 64 << 10, maxRequests: Int? = nil, handlesSignals: Bool = true,
        requestTimeout: Duration? = nil
    ) {
        self.listenFD = listenFD
        self.threads = max(1, threads)
        self.maxBodyBytes = max(0, maxBodyBytes)
        self.maxParamsBytes = max(0, maxParamsBytes)
        self.maxRequests = maxRequests
        self.handlesSignals = handlesSignals
        self.requestTimeout = requestTimeout.flatMap { $0 > .zero ? $0 : nil }
    }
}
