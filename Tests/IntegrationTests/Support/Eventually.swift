import Foundation

/// Seconds a wait for an event may take before the test calls it a hang: generous for a shared
/// 2-core machine under ThreadSanitizer; a passing test never waits this long.
let hangDeadline: Double = 60

/// Polls until `condition` holds; false once `seconds` have passed (a hang, not a slow machine).
func eventually(within seconds: Double = hangDeadline, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
