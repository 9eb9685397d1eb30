import Foundation
import LifecycleCore
@testable import Maintenance
import Telemetry
import Testing

/// A pool started with a host id keeps its run state under `run/<host>/`; it makes the directory
/// live as one under `run/` does.
@Suite(.timeLimit(.minutes(10))) struct LiveUseTests {
    @Test func aNamedHostsPoolCounts() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        let directory = DataDirectory(root: f.path("target"))
        let host = try LeaseSettings(hostID: "h1")
        try FileManager.default.createDirectory(atPath: directory.runFolder(host), withIntermediateDirectories: true)
        #expect(LiveUse.evidence(in: directory).isEmpty)

        // Its pid file names a live plugin-lifecycle process (this test runner is one).
        let pidFile = directory.runFolder(host) + "/pool.pid"
        try "\(getpid())\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        #expect(LiveUse.evidence(in: directory) == ["the pool's master (pid \(getpid()), \(pidFile)) is running"])
        try FileManager.default.removeItem(atPath: pidFile)

        // Its counters alone (no pid file: a systemd unit with the socket in /run).
        let metrics = MetricsDirectory(path: directory.metricsRoot(host))
        _ = try metrics.startPool(configuredWorkers: 1)
        #expect(LiveUse.evidence(in: directory) == ["the pool's master (pid \(getpid()), \(metrics.poolFilePath)) is running"])
        metrics.removeAll()
        #expect(LiveUse.evidence(in: directory).isEmpty)
    }
}
