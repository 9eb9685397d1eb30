import Foundation
import LifecycleCore

/// Installs, updates and uninstalls on background threads until stopped: writers that keep
/// committing while a backup runs. Refusals (already installed, in progress, …) are the point, not failures.
final class Churn: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var committed = 0
    private var threads: [Thread] = []
    private let done = DispatchGroup()

    /// One thread per group of users; users shared between groups make operations contend.
    init(service: LifecycleService, userGroups: [[String]]) {
        for (index, users) in userGroups.enumerated() {
            done.enter()
            let thread = Thread { [self] in
                var generator = SystemRandomNumberGenerator()
                while !isStopped {
                    let user = users.randomElement(using: &generator)!
                    let ok: Bool
                    switch Int.random(in: 0..<6, using: &generator) {
                    case 0: ok = (try? service.install(user: user, slug: "braindrive-network", version: "1.0.0")) != nil
                    case 1: ok = (try? service.install(user: user, slug: "braindrive-library")) != nil
                    case 2: ok = (try? service.update(user: UserID(user), slug: LifecycleService.slug("braindrive-network"),
                                                      version: nil, context: .cli)) != nil
                    case 3: ok = (try? service.uninstall(user: user, slug: "braindrive-network")) != nil
                    case 4: ok = (try? service.uninstall(user: user, slug: "braindrive-chat", cascade: true)) != nil
                    default: ok = (try? service.install(user: user, slug: "braindrive-settings")) != nil
                    }
                    if ok { lock.withLock { committed += 1 } }
                }
                done.leave()
            }
            thread.name = "churn-\(index)"
            threads.append(thread)
        }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Operations committed so far.
    var committedCount: Int { lock.withLock { committed } }

    func start() { threads.forEach { $0.start() } }

    /// Stops every thread and returns how many operations committed meanwhile.
    func stop() -> Int {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock { committed }
    }
}
