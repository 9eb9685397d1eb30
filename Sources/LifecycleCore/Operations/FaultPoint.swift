import Foundation

/// Named points inside operations where tests make the process die, to prove rollback.
/// `PLUGIN_LIFECYCLE_FAULT=install.after-swap` kills the process with SIGKILL there;
/// `…:sleep=3` pauses instead; `…:hold=DIR` creates `DIR/reached` and waits there until
/// `DIR/release` exists, so a race test acts on an event rather than on a guess of how long a
/// step takes on a loaded machine.
/// Unset in production: one environment read at start-up, then a string compare.
package enum FaultPoint {
    enum Action: Equatable { case kill, sleep(Double), hold(String) }

    private static let configured: (name: String, action: Action)? = {
        guard let raw = ProcessInfo.processInfo.environment["PLUGIN_LIFECYCLE_FAULT"], !raw.isEmpty else { return nil }
        let parts = raw.split(separator: ":", maxSplits: 1)
        var action = Action.kill
        if parts.count == 2 {
            if parts[1].hasPrefix("sleep="), let seconds = Double(parts[1].dropFirst(6)) { action = .sleep(seconds) }
            if parts[1].hasPrefix("hold=") { action = .hold(String(parts[1].dropFirst(5))) }
        }
        return (String(parts[0]), action)
    }()

    /// A hold never outlasts this: a test that fails before releasing leaves no process held.
    static let longestHold: TimeInterval = 300

    static func hit(_ name: String) {
        guard let configured, configured.name == name else { return }
        switch configured.action {
        case .kill:
            kill(getpid(), SIGKILL)
        case .sleep(let seconds):
            Thread.sleep(forTimeInterval: seconds)
        case .hold(let folder):
            let release = folder + "/release"
            guard !FileManager.default.fileExists(atPath: release) else { return }
            _ = FileManager.default.createFile(atPath: folder + "/reached", contents: nil)
            let deadline = Date().addingTimeInterval(longestHold)
            while !FileManager.default.fileExists(atPath: release) && Date() < deadline { usleep(10_000) }
        }
    }
}
