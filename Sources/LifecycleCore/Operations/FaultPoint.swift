import Foundation

/// Named points inside operations where tests make the process die, to prove rollback.
/// `PLUGIN_LIFECYCLE_FAULT=install.after-swap` kills the process with SIGKILL there;
/// `PLUGIN_LIFECYCLE_FAULT=install.after-swap:sleep=3` pauses instead (for races).
/// Unset in production: one environment read at start-up, then a string compare.
public enum FaultPoint {
    private static let configured: (name: String, sleep: Double?)? = {
        guard let raw = ProcessInfo.processInfo.environment["PLUGIN_LIFECYCLE_FAULT"], !raw.isEmpty else { return nil }
        let parts = raw.split(separator: ":", maxSplits: 1)
        var sleep: Double?
        if parts.count == 2, parts[1].hasPrefix("sleep=") { sleep = Double(parts[1].dropFirst(6)) }
        return (String(parts[0]), sleep)
    }()

    static func hit(_ name: String) {
        guard let configured, configured.name == name else { return }
        if let seconds = configured.sleep {
            Thread.sleep(forTimeInterval: seconds)
        } else {
            kill(getpid(), SIGKILL)
        }
    }
}
