import Foundation

/// Polls `condition` until it holds or `seconds` pass: the deadline only catches a hang (a
/// shared 2-core machine under sanitizers is slow), it is never a claim about speed.
func eventually(within seconds: TimeInterval = 60, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        usleep(20_000)
    }
}
