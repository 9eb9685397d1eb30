import Foundation
import LifecycleCore
import LifecycleStore
import Maintenance
import StoreTestSupport
import Testing

/// Doctor's store checks on both stores: SQLite's PRAGMAs, or PostgreSQL's server, durability
/// settings and schema; the schema and row checks, and the rows-against-folders checks, on both.
@Suite(.timeLimit(.minutes(10))) struct DoctorStoreTests {
    func doctor(_ f: MaintenanceFixture) -> DoctorReport {
        Doctor(dataDirectory: f.root, location: f.location).run()
    }

    @Test(arguments: TestStore.all) func aHealthyStoreHasNoErrorAndItsOwnChecks(store: TestStore) throws {
        let f = try MaintenanceFixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        _ = try f.service.install(user: "u2", slug: "braindrive-library")
        let report = doctor(f)
        #expect(report.errors == 0, "\(report.text)")
        #expect(report.findings("schema").count == 1 && report.findings("plugins_checked").count == 1, "\(report.text)")
        switch store {
        case .sqlite:
            #expect(report.findings("integrity").count == 1 && report.findings("server").isEmpty)
        case .postgres:
            #expect(report.findings("integrity").isEmpty && report.findings("server").first?.message.hasPrefix("PostgreSQL ") == true)
            #expect(report.findings("foreign_keys").count == 1)
            // The test server runs with fsync off: doctor warns, never errs, and names the setting.
            let durability = report.findings("durability") + report.findings("durability_off")
            #expect(durability.count == 1, "\(report.text)")
            #expect(!report.text.contains(f.location.map { "\($0)" } ?? "-"), "the URL is never printed")
            #expect(!FileManager.default.fileExists(atPath: f.root + "/lifecycle.sqlite"), "no SQLite file beside a PostgreSQL store")
        }
    }

    @Test(arguments: TestStore.all) func aMigrationThisBuildDoesNotKnowIsAnError(store: TestStore) throws {
        let f = try MaintenanceFixture(store: store); defer { f.remove() }
        let table = store == .sqlite ? "grdb_migrations" : "schema_migrations"
        try f.execute("INSERT INTO \(table) (identifier) VALUES ('v99-from-the-future')")
        let report = doctor(f)
        let newer = try #require(report.findings("schema_newer").first, "\(report.text)")
        #expect(newer.severity == .error && newer.message.contains("v99-from-the-future") && report.exitCode == 1)
    }

    @Test(arguments: TestStore.all) func aPluginWhoseFolderIsGoneIsFoundOnEitherStore(store: TestStore) throws {
        let f = try MaintenanceFixture(store: store); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        try FileManager.default.removeItem(atPath: f.pluginFolder("u1", "braindrive_network"))
        let report = doctor(f)
        #expect(report.findings("row_without_folder").first?.subject == "u1/braindrive_network", "\(report.text)")
        #expect(report.exitCode == 1)
    }

    /// Rows that bypassed PostgreSQL's foreign keys (triggers disabled, as a bulk load may do).
    @Test(.enabled(if: PostgresTestServer.runs, "no PostgreSQL server to test against (deploy/test starts one)"))
    func orphanRowsOnPostgreSQLAreErrors() throws {
        let f = try MaintenanceFixture(store: .postgres); defer { f.remove() }
        _ = try f.service.install(user: "u1", slug: "braindrive-network")
        try f.execute("""
            SET LOCAL session_replication_role = replica;
            DELETE FROM plugin WHERE user_id = 'u1'
            """)
        let report = doctor(f)
        let orphans = report.findings("foreign_key_violation")
        #expect(orphans.count == 2 && orphans.allSatisfy { $0.severity == .error }, "\(report.text)")
        #expect(orphans.contains { $0.message.hasSuffix("module rows point to a missing plugin") })
    }
}
