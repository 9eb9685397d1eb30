import Foundation
import Posix
import Testing
@testable import FastCGITransport

@Suite("FastCGIWorker", .timeLimit(.minutes(10)))
struct FastCGIWorkerTests {
    @Test func paramsAndResponseRoundTrip() throws {
        let seen = Locked<FastCGIRequest?>(nil)
        let running = try RunningWorker { request in
            seen.withLock { $0 = request }
            return FastCGIResponse(
                status: 201, headers: [("Content-Type", "application/json"), ("X-Evil", "a\r\nInjected: 1")],
                body: Array(#"{"ok":true}"#.utf8))
        }
        defer { running.shutdown() }

        let result = try cgiFCGI(socket: running.socketPath, env: [
            "REQUEST_METHOD": "GET", "REQUEST_URI": "/api/plugins?x=1&y=%20", "QUERY_STRING": "x=1&y=%20",
            "HTTP_AUTHORIZATION": "Bearer abc.def.ghi",
        ])
        #expect(result.exitStatus == 0)
        #expect(result.text.hasPrefix("Status: 201 Created\r\n"))
        #expect(result.text.contains("Content-Type: application/json\r\n"))
        #expect(result.text.contains("Content-Length: 11\r\n"))
        #expect(result.text.contains("X-Evil: a Injected: 1\r\n"))
        #expect(!result.text.contains("\nInjected"))
        #expect(result.body == Array(#"{"ok":true}"#.utf8))

        let request = try #require(seen.withLock { $0 })
        #expect(request.params["REQUEST_METHOD"] == "GET")
        #expect(request.params["REQUEST_URI"] == "/api/plugins?x=1&y=%20")
        #expect(request.params["QUERY_STRING"] == "x=1&y=%20")
        #expect(request.params["HTTP_AUTHORIZATION"] == "Bearer abc.def.ghi")
        #expect(request.body.isEmpty)
        #expect(!request.bodyExceededLimit)
        #expect(!request.paramsExceededLimit)
    }

    @Test func bodyIsReadUpToContentLength() throws {
        let running = try RunningWorker { request in
            FastCGIResponse(status: 200, body: request.body.reversed())
        }
        defer { running.shutdown() }

        // Larger than libfcgi's 8 KiB buffers and not a multiple of a record.
        let payload = (0..<200_001).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let result = try cgiFCGI(
            socket: running.socketPath, env: ["REQUEST_METHOD": "POST", "REQUEST_URI": "/echo"], stdin: payload)
        #expect(result.text.hasPrefix("Status: 200 OK\r\n"))
        #expect(result.body == payload.reversed())
    }

    @Test func bodyOverTheLimitIsNotRead() throws {
        let seen = Locked<FastCGIRequest?>(nil)
        let running = try RunningWorker(maxBodyBytes: 1000) { request in
            seen.withLock { $0 = request }
            return FastCGIResponse(status: request.bodyExceededLimit ? 413 : 200)
        }
        defer { running.shutdown() }

        let result = try cgiFCGI(
            socket: running.socketPath, env: ["REQUEST_METHOD": "POST", "REQUEST_URI": "/big"],
            stdin: [UInt8](repeating: 65, count: 300_000))
        #expect(result.text.hasPrefix("Status: 413 Content Too Large\r\n"))
        let request = try #require(seen.withLock { $0 })
        #expect(request.bodyExceededLimit)
        #expect(request.body.isEmpty)

        // Exactly at the limit is fine.
        let atLimit = try cgiFCGI(
            socket: running.socketPath, env: ["REQUEST_METHOD": "POST"], stdin: [UInt8](repeating: 66, count: 1000))
        #expect(atLimit.text.hasPrefix("Status: 200 OK\r\n"))
        #expect(seen.withLock { $0?.body.count } == 1000)
    }

    @Test func paramsOverTheLimitAreFlagged() throws {
        let seen = Locked<FastCGIRequest?>(nil)
        let running = try RunningWorker(maxParamsBytes: 2048) { request in
            seen.withLock { $0 = request }
            return FastCGIResponse(status: request.paramsExceededLimit ? 400 : 200)
        }
        defer { running.shutdown() }

        let result = try cgiFCGI(socket: running.socketPath, env: [
            "REQUEST_METHOD": "POST", "HTTP_X_HUGE": String(repeating: "x", count: 4096),
        ], stdin: Array("{}".utf8))
        #expect(result.text.hasPrefix("Status: 400 Bad Request\r\n"))
        let request = try #require(seen.withLock { $0 })
        #expect(request.paramsExceededLimit)
        #expect(request.body.isEmpty)
    }

    @Test func slowHandlersOccupyOnlyTheirOwnThread() throws {
        // Each handler waits until all four are inside at once: that only happens if four
        // threads serve concurrently; serialised handlers would time out instead.
        let inside = Locked(0)
        let allInside = DispatchSemaphore(value: 0)
        let running = try RunningWorker(threads: 4) { request in
            let count = inside.withLock { n in
                n += 1
                return n
            }
            if count == 4 { for _ in 0..<4 { allInside.signal() } }
            let met = allInside.wait(timeout: .now() + 60) == .success
            return FastCGIResponse(status: met ? 200 : 504, body: Array((request.params["REQUEST_URI"] ?? "").utf8))
        }
        defer { running.shutdown() }

        let results = Locked<[String]>([])
        let clients = (0..<4).map { i in
            Thread {
                let result = try? cgiFCGI(socket: running.socketPath, env: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/r\(i)"])
                results.withLock { $0.append((result?.text.prefix(15) ?? "") + String(decoding: result?.body ?? [], as: UTF8.self)) }
            }
        }
        clients.forEach { $0.start() }
        let done = running.eventually(within: 60) { results.withLock { $0.count } == 4 }
        #expect(done)
        #expect(Set(results.withLock { $0 }) == Set((0..<4).map { "Status: 200 OK\r\n/r\($0)" }))
    }

    @Test func malformedAndAbandonedConnectionsDoNotHurt() throws {
        let running = try RunningWorker(threads: 1) { _ in
            usleep(50_000)
            return FastCGIResponse(status: 200, body: [UInt8](repeating: 1, count: 512 << 10))
        }
        defer { running.shutdown() }

        // Garbage instead of FastCGI records, then hang up.
        let garbage = rawConnect(running.socketPath)
        #expect(garbage >= 0)
        _ = write(garbage, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27)
        close(garbage)

        // A valid request whose client leaves before the (large) response is written.
        let abandoned = Process()
        abandoned.executableURL = URL(fileURLWithPath: "/usr/bin/cgi-fcgi")
        abandoned.arguments = ["-bind", "-connect", running.socketPath]
        abandoned.environment = ["REQUEST_METHOD": "GET"]
        abandoned.standardOutput = FileHandle.nullDevice
        try abandoned.run()
        usleep(20_000)
        abandoned.terminate()
        abandoned.waitUntilExit()

        let result = try cgiFCGI(socket: running.socketPath, env: ["REQUEST_METHOD": "GET"])
        #expect(result.text.hasPrefix("Status: 200 OK\r\n"))
        #expect(result.body.count == 512 << 10)
        #expect(!running.hasExited)
    }

    @Test func requestStopDrainsTheRequestInFlight() throws {
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let running = try RunningWorker(threads: 3) { _ in
            entered.signal()
            release.wait()
            return FastCGIResponse(status: 200, body: Array("finished".utf8))
        }
        defer { release.signal(); running.shutdown() }

        let response = Locked<CGIResult?>(nil)
        let client = Thread {
            let result = try? cgiFCGI(socket: running.socketPath, env: ["REQUEST_METHOD": "GET"])
            response.withLock { $0 = result }
        }
        client.start()
        #expect(entered.wait(timeout: .now() + 60) == .success)

        running.worker.requestStop()
        // The handler is held: run() must still be waiting for it (a short look, not a bound).
        #expect(running.waitForExit(timeout: 0.2) == nil, "run() returned while a request was in flight")
        release.signal()
        #expect(running.waitForExit(timeout: 60) == 0)

        // The client has its complete answer.
        #expect(running.eventually(within: 60) { response.withLock { $0 != nil } })
        let result = try #require(response.withLock { $0 })
        #expect(result.text.hasPrefix("Status: 200 OK\r\n"))
        #expect(result.body == Array("finished".utf8))

        // Nothing accepts any more, but the listening socket is still open for siblings.
        #expect(fcntl(running.listenFD, F_GETFD) >= 0)
    }

    @Test func idleWorkerStopsPromptly() throws {
        let running = try RunningWorker(threads: 4) { _ in FastCGIResponse(status: 204) }
        defer { running.shutdown() }
        usleep(50_000)
        // Idle threads wait in poll() with no timeout: only the wake-up ends them, or this hangs.
        running.worker.requestStop()
        #expect(running.waitForExit(timeout: 60) == 0)
    }

    @Test func maxRequestsEndsTheWorker() throws {
        let running = try RunningWorker(threads: 1, maxRequests: 3) { _ in FastCGIResponse(status: 204) }
        defer { running.shutdown() }
        for _ in 0..<3 {
            let result = try cgiFCGI(socket: running.socketPath, env: ["REQUEST_METHOD": "DELETE"])
            #expect(result.text.hasPrefix("Status: 204 No Content\r\n"))
        }
        #expect(running.waitForExit(timeout: 60) == 0)
        #expect(running.worker.servedRequests == 3)
    }

    /// php-fpm's request_terminate_timeout, for real: the process exits with status 70.
    @Test func aRequestPastItsDeadlineEndsTheProcess() async {
        await #expect(processExitsWith: .exitCode(70)) {
            let running = try RunningWorker(threads: 2, requestTimeout: .milliseconds(300)) { _ in
                sleep(30)
                return FastCGIResponse(status: 200)
            }
            Thread { _ = try? cgiFCGI(socket: running.socketPath, env: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/stuck"]) }.start()
            sleep(120)  // only a hang reaches this
            exit(0)
        }
    }

    @Test func theDeadlineLetsTheOtherRequestsFinishFirst() throws {
        let release = DispatchSemaphore(value: 0), stuckEntered = DispatchSemaphore(value: 0)
        let slowReturned = Locked<ContinuousClock.Instant?>(nil)
        let actedAt = Locked<ContinuousClock.Instant?>(nil)
        let worker = Locked<FastCGIWorker?>(nil)
        let running = try RunningWorker(
            threads: 3, requestTimeout: .seconds(3), timeoutAction: { actedAt.withLock { $0 = .now } }
        ) { request in
            if request.params["REQUEST_URI"] == "/stuck" {
                stuckEntered.signal()
                release.wait()
            } else {
                // Still in its handler, within its own deadline, when the stuck one is found late.
                let hangGuard = ContinuousClock.now + .seconds(60)
                while worker.withLock({ $0?.isStopRequested }) != true && ContinuousClock.now < hangGuard { usleep(10_000) }
                slowReturned.withLock { $0 = .now }
            }
            return FastCGIResponse(status: 200, body: Array("done".utf8))
        }
        worker.withLock { $0 = running.worker }
        defer { release.signal(); running.shutdown() }

        let stuckAt = ContinuousClock.now
        Thread { _ = try? cgiFCGI(socket: running.socketPath, env: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/stuck"]) }.start()
        #expect(stuckEntered.wait(timeout: .now() + 60) == .success)
        // Half the deadline later, so the slow request is well inside its own deadline when the
        // stuck one passes its (not an assertion: it only places the second request).
        let untilHalf = stuckAt + .milliseconds(1500) - .now
        if untilHalf > .zero { sleepFor(untilHalf) }
        let slow = try cgiFCGI(socket: running.socketPath, env: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/slow"])
        #expect(slow.body == Array("done".utf8))
        #expect(running.eventually(within: 60) { actedAt.withLock { $0 } != nil })
        let acted = try #require(actedAt.withLock { $0 })
        let returned = try #require(slowReturned.withLock { $0 })
        #expect(acted >= returned, "the action waited for the request still within its deadline")
        // The one bound kept is the behaviour itself: a request is never cut before its deadline.
        #expect(acted - stuckAt >= .seconds(3), "cut after \(acted - stuckAt)")
        #expect(running.worker.isStopRequested, "no new requests once a thread is stuck")
    }

    @Test func requestsWithinTheDeadlineAreLeftAlone() throws {
        let acted = Locked(false)
        let running = try RunningWorker(
            threads: 1, requestTimeout: .seconds(1), timeoutAction: { acted.withLock { $0 = true } }
        ) { _ in
            usleep(200_000)
            return FastCGIResponse(status: 204)
        }
        defer { running.shutdown() }
        // Together well past the deadline, each well within it.
        for _ in 0..<8 {
            let result = try cgiFCGI(socket: running.socketPath, env: ["REQUEST_METHOD": "GET", "REQUEST_URI": "/ok"])
            #expect(result.text.hasPrefix("Status: 204"))
        }
        #expect(!running.worker.isStopRequested)
        // run() joins the watchdog before it returns: after it, no action can still come.
        running.worker.requestStop()
        #expect(running.waitForExit(timeout: 60) == 0)
        #expect(!acted.withLock { $0 })
    }

    /// The real signal path, in a child process (an exit test) so the test runner never sees
    /// SIGTERM: a request is in flight when SIGTERM arrives, it is answered, run() returns 0.
    @Test func sigtermDrainsInAChildProcess() async {
        await #expect(processExitsWith: .exitCode(0)) {
            let entered = DispatchSemaphore(value: 0)
            let running = try RunningWorker(threads: 2, handlesSignals: true) { _ in
                entered.signal()
                usleep(300_000)
                return FastCGIResponse(status: 200, body: Array("drained".utf8))
            }
            let response = Locked<CGIResult?>(nil)
            Thread {
                let result = try? cgiFCGI(socket: running.socketPath, env: ["REQUEST_METHOD": "GET"])
                response.withLock { $0 = result }
            }.start()
            guard entered.wait(timeout: .now() + 60) == .success else { exit(2) }
            kill(getpid(), SIGTERM)
            guard running.waitForExit(timeout: 60) == 0 else { exit(3) }
            _ = running.eventually(within: 60) { response.withLock { $0 != nil } }
            guard response.withLock({ $0?.body }) == Array("drained".utf8) else { exit(4) }
            exit(0)
        }
    }
}
