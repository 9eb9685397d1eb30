import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Writes a line to a file descriptor with one `write(2)`, so that lines from every thread of
/// every worker sharing stderr (a pipe to journald, or one log file) never interleave. Lines are
/// kept under 4 KiB (`PIPE_BUF`): longer strings are cut by ``JSONObjectWriter``.
package struct LineSink: Sendable {
    package let fd: Int32
    package static let standardError = LineSink(fd: 2)

    package init(fd: Int32) { self.fd = fd }

    package func write(_ line: [UInt8]) {
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // nowhere left to say it
                }
                offset += written
            }
        }
    }
}

/// swift-log's records as JSON lines: `time`, `level`, `label`, `msg`, `pid`, then the metadata.
package struct JSONLogHandler: LogHandler {
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    let label: String
    let sink: LineSink

    package init(label: String, sink: LineSink = .standardError) {
        self.label = label; self.sink = sink
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        let level = event.level, message = event.message, explicit = event.metadata
        var json = JSONObjectWriter()
        json.maxStringBytes = 512
        json.field("time", LogTime.now())
        json.field("level", level.rawValue)
        json.field("label", label)
        json.field("msg", message.description)
        json.field("pid", getpid())
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        for key in merged.keys.sorted() where !["time", "level", "label", "msg", "pid"].contains(key) {
            // The whole line stays under PIPE_BUF (4 KiB), so that its one write stays atomic.
            if json.bytes.count > 3_000 {
                json.field("truncated", true)
                break
            }
            json.field(key, merged[key]!.description)
        }
        sink.write(json.finished(line: true))
    }
}

/// RFC 3339 UTC with milliseconds, as the audit log writes its times.
package enum LogTime {
    package static func now() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = String(now.tv_nsec / 1_000_000)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec)).\(String(repeating: "0", count: 3 - millis.count))\(millis)Z"
    }
}
