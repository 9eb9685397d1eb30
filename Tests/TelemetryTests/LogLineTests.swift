import Foundation
import Logging
import Testing
@testable import Telemetry

/// JSON log lines: valid JSON, escaped, bounded, and whole when many threads write at once.
@Suite(.timeLimit(.minutes(10)))
struct LogLineTests {
    /// A temp file opened O_APPEND, as a log file shared by several processes is.
    func withLogFile(_ body: (LineSink) throws -> Void) throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString.prefix(8)).jsonl").path
        let fd = open(path, O_CREAT | O_WRONLY | O_APPEND, 0o600)
        try #require(fd >= 0)
        try body(LineSink(fd: fd))
        close(fd)
        defer { unlink(path) }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
    }

    @Test func aRequestLineHasEveryFieldAndNothingElse() throws {
        let record = RequestRecord(requestID: "req-1", method: "POST", route: MetricsSchema.routeIndex("/api/plugins/{slug}/install"),
                                   slug: "braindrive-network", user: "u1", status: 201, micros: 12_345)
        let line = String(decoding: RequestTelemetry.line(record, pid: 77), as: UTF8.self)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let json = try object(line)
        #expect(Set(json.keys) == ["time", "level", "msg", "request_id", "user", "method", "route", "slug", "status", "duration_ms", "worker_pid"])
        #expect(json["route"] as? String == "/api/plugins/{slug}/install")
        #expect(json["slug"] as? String == "braindrive-network" && json["user"] as? String == "u1")
        #expect(json["status"] as? Int == 201 && json["worker_pid"] as? Int == 77)
        #expect((json["duration_ms"] as? Double).map { abs($0 - 12.345) < 0.0001 } == true)
        #expect((json["time"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
        let anonymous = try object(String(decoding: RequestTelemetry.line(
            RequestRecord(requestID: "r", method: "GET", route: 99, status: 404, micros: 5), pid: 1), as: UTF8.self))
        #expect(anonymous["user"] is NSNull && anonymous["slug"] is NSNull && anonymous["route"] as? String == "unmatched")
    }

    @Test func hostileStringsStayOneEscapedBoundedLine() throws {
        var json = JSONObjectWriter()
        json.maxStringBytes = 200
        json.field("a", "quote \" backslash \\ newline \n return \r tab \t nul \u{0} del \u{7F} ls \u{2028} é")
        json.field("long", String(repeating: "x", count: 10_000))
        let bytes = json.finished(line: true)
        let line = String(decoding: bytes, as: UTF8.self)
        #expect(line.filter { $0 == "\n" }.count == 1 && line.last == "\n")
        #expect(bytes.count < 500, "cut to the limit")
        let parsed = try object(line)
        #expect(parsed["a"] as? String == "quote \" backslash \\ newline \n return \r tab \t nul \u{0} del \u{7F} ls \u{2028} é")
        #expect((parsed["long"] as? String)?.hasSuffix("…") == true)
    }

    @Test func numbersAndTimesAreWrittenDigitByDigitAsJSONReadsThem() throws {
        var json = JSONObjectWriter()
        let integers: [Int64] = [0, 7, 9, 10, 99, 100, 12_345, Int64(Int32.max), Int64.max, -1, Int64.min]
        for (index, value) in integers.enumerated() { json.field("i\(index)", value) }
        json.field("u", UInt64.max)
        let thousandths: [UInt64] = [0, 5, 50, 999, 1_000, 1_001, 12_345, 10_000_000]
        for (index, value) in thousandths.enumerated() { json.field("t\(index)", thousandths: value) }
        let dayBefore = Self.utcDay()
        json.field("time", plainASCII: LogTime.nowBytes())
        let dayAfter = Self.utcDay()
        let line = String(decoding: json.finished(), as: UTF8.self)
        let parsed = try object(line)
        for (index, value) in integers.enumerated() { #expect(parsed["i\(index)"] as? NSNumber == NSNumber(value: value), "\(value) in \(line)") }
        #expect(line.contains("\"u\":18446744073709551615"))
        for (index, value) in thousandths.enumerated() {
            #expect(line.contains("\"t\(index)\":\(value / 1000).\(String(format: "%03d", value % 1000))"), "\(value) in \(line)")
        }
        // The day as the C library formats it, read just before and just after (midnight may pass).
        let time = try #require(parsed["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
        #expect(time.hasPrefix(dayBefore) || time.hasPrefix(dayAfter), "\(time)")
    }

    static func utcDay() -> String {
        var seconds = time(nil), parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday)
    }

    @Test func swiftLogRecordsBecomeJSONWithTheirMetadata() throws {
        let lines = try withLogFile { sink in
            var logger = Logger(label: "test.label") { JSONLogHandler(label: $0, sink: sink) }
            logger[metadataKey: "slot"] = "3"
            logger.info("worker exited", metadata: ["status": "exit 70", "msg": "must not replace the message"])
            logger.debug("below the level: dropped")
        }
        #expect(lines.count == 2 && lines[1].isEmpty)
        let json = try object(lines[0])
        #expect(json["msg"] as? String == "worker exited" && json["level"] as? String == "info")
        #expect(json["label"] as? String == "test.label" && json["pid"] as? Int == Int(getpid()))
        #expect(json["status"] as? String == "exit 70" && json["slot"] as? String == "3")
    }

    @Test func aRecordWithHugeMetadataStaysUnderPipeBuf() throws {
        let lines = try withLogFile { sink in
            let logger = Logger(label: "big") { JSONLogHandler(label: $0, sink: sink) }
            var metadata: Logger.Metadata = [:]
            for index in 0..<40 { metadata["key\(index)"] = .string(String(repeating: "\u{1}", count: 600)) }
            logger.error("many fields", metadata: metadata)
        }
        #expect(lines.count == 2, "one line")
        #expect(lines[0].utf8.count < 4096, "\(lines[0].utf8.count) bytes")
        let json = try object(lines[0])
        #expect(json["truncated"] as? Bool == true && json["msg"] as? String == "many fields")
    }

    @Test func linesFromManyThreadsNeverInterleave() throws {
        let lines = try withLogFile { sink in
            let telemetry = RequestTelemetry(counters: nil, sink: sink)
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for index in 0..<500 {
                    telemetry.requestFinished(RequestRecord(requestID: "t\(thread)-\(index)", method: "GET", route: 2,
                                                            slug: String(repeating: "s", count: 200), status: 200, micros: 1))
                }
            }
        }.filter { !$0.isEmpty }
        #expect(lines.count == 4_000)
        var seen = Set<String>()
        for line in lines { seen.insert(try object(line)["request_id"] as? String ?? "") }
        #expect(seen.count == 4_000)
    }

    @Test func lifecycleLinesNameTheChange() throws {
        let change = LifecycleChange(requestID: "r9", actor: "admin", user: "u2", slug: "braindrive_chat", action: "update",
                                     fromVersion: "1.0.0", toVersion: "1.1.0", outcome: "success")
        let json = try object(String(decoding: RequestTelemetry.line(change, pid: 5), as: UTF8.self))
        #expect(json["msg"] as? String == "lifecycle" && json["action"] as? String == "update" && json["actor"] as? String == "admin")
        #expect(json["from_version"] as? String == "1.0.0" && json["to_version"] as? String == "1.1.0" && json["user"] as? String == "u2")
    }
}
