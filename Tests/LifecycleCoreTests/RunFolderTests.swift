@testable import LifecycleCore
import Testing

/// Where a pool keeps its run state: unchanged for a single host, per host when the host is named.
@Suite(.timeLimit(.minutes(10))) struct RunFolderTests {
    let directory = DataDirectory(root: "/srv/pl")

    @Test func aSingleHostKeepsTheSharedRunFolder() throws {
        let leases = try LeaseSettings()
        #expect(directory.runFolder(leases) == "/srv/pl/run")
        #expect(directory.runFolder(leases) == directory.runRoot)
        #expect(directory.metricsRoot(leases) == "/srv/pl/run/metrics")
    }

    @Test func aNamedHostHasItsOwnRunFolder() throws {
        let leases = try LeaseSettings(hostID: "h1")
        #expect(directory.runFolder(leases) == "/srv/pl/run/h1")
        #expect(directory.metricsRoot(leases) == "/srv/pl/run/h1/metrics")
        #expect(directory.metricsRoot(try LeaseSettings(hostID: "h2")) != directory.metricsRoot(leases))
    }

    @Test func theEnvironmentNamesTheHostAsTheOptionDoes() throws {
        let named = try LeaseSettings.fromEnvironment([LeaseSettings.hostIDVariable: "web-2"])
        #expect(directory.runFolder(named) == "/srv/pl/run/web-2")
        let unnamed = try LeaseSettings.fromEnvironment([LeaseSettings.hostIDVariable: ""])
        #expect(directory.runFolder(unnamed) == "/srv/pl/run")
    }
}
