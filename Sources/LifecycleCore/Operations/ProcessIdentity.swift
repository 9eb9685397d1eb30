import Foundation

/// `pid:starttime` names a process uniquely on this host: a pid reused after a crash has another start time.
enum ProcessIdentity {
    static let current: String = "\(getpid()):\(startTime(of: getpid()) ?? "0")"

    static func isAlive(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":")
        guard parts.count == 2, let pid = pid_t(parts[0]) else { return false }
        // A zombie (killed, not yet reaped by its parent, e.g. a pool worker between SIGKILL and the
        // master's next waitpid) still has its /proc entry and start time, but will never commit.
        if let entry = statFields(of: pid) { return entry.start == String(parts[1]) && entry.state != "Z" && entry.state != "X" }
        // No /proc entry: the process is gone (or /proc is absent, where kill(0) is the best we have).
        return FileManager.default.fileExists(atPath: "/proc/self/stat") ? false : kill(pid, 0) == 0
    }

    /// Field 22 of /proc/PID/stat (after the parenthesised command, which may contain spaces).
    static func startTime(of pid: pid_t) -> String? { statFields(of: pid)?.start }

    /// Field 3 (state) and field 22 (starttime) of /proc/PID/stat.
    static func statFields(of pid: pid_t) -> (state: String, start: String)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); starttime is field 22.
        guard fields.count > 19 else { return nil }
        return (String(fields[0]), String(fields[19]))
    }
}
