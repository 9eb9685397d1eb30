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
        json.field("time", plainASCII: LogTime.nowBytes())
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
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC), written as bytes: every request line carries one.
    package static func nowBytes() -> [UInt8] {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return bytes(seconds: Int(now.tv_sec), milliseconds: now.tv_nsec / 1_000_000)
    }

    /// The same form for a given Unix second (an expiry handed to a client, say).
    package static func bytes(seconds: Int, milliseconds: Int) -> [UInt8] {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var out = [UInt8](repeating: UInt8(ascii: "0"), count: 24)
        func put(_ value: Int, at end: Int, digits: Int) {
            var value = value
            for index in stride(from: end, to: end - digits, by: -1) {
                out[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, at: 3, digits: 4)
        out[4] = UInt8(ascii: "-"); put(Int(parts.tm_mon) + 1, at: 6, digits: 2)
        out[7] = UInt8(ascii: "-"); put(Int(parts.tm_mday), at: 9, digits: 2)
        out[10] = UInt8(ascii: "T"); put(Int(parts.tm_hour), at: 12, digits: 2)
        out[13] = UInt8(ascii: ":"); put(Int(parts.tm_min), at: 15, digits: 2)
        out[16] = UInt8(ascii: ":"); put(Int(parts.tm_sec), at: 18, digits: 2)
        out[19] = UInt8(ascii: "."); put(milliseconds, at: 22, digits: 3)
        out[23] = UInt8(ascii: "Z")
        return out
    }
}
