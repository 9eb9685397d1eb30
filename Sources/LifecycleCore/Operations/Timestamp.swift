import Foundation

/// RFC 3339 UTC timestamps with milliseconds, as stored and returned.
package enum Timestamp {
    static func now() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        return format(seconds: tv.tv_sec, milliseconds: Int(tv.tv_usec / 1000))
    }

    /// A Unix second (an expiry handed to clients) in the same form, `.000` milliseconds.
    package static func rfc3339(seconds: Int) -> String { format(seconds: seconds, milliseconds: 0) }

    private static func format(seconds: Int, milliseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                      parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, milliseconds)
    }
}
