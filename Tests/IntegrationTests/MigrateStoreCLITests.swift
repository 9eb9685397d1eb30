import Foundation
import StoreTestSupport
import Testing

/// `plugin-lifecycle migrate-store`: a SQLite data directory moved into PostgreSQL, then served from there.
@Suite(.timeLimit(.minutes(10)),
       .enabled(if: PostgresTestServer.runs,
                "PLUGIN_LIFECYCLE_TEST_DATABASE_URL is unset: no PostgreSQL server to test against (deploy/test starts one)"))
struct MigrateStoreCLITests {
    @Test func dryRunThenApplyThenAnIdempotentRerun() throws {
        let dir = try Stack.initializedDataDirectory(prefix: "lc-migrate"); defer { try? FileManager.default.removeItem(atPath: dir) }
        let install = try Stack.run(["install", "user123", "braindrive-network", "--data-dir", dir])
        try #require(install.status == 0, "\(install.output)")
        try PostgresTestServer.withSchema { schema in
            // The URL from the environment, as the pool will read it.
            let environment = ["PLUGIN_LIFECYCLE_DATABASE_URL": schema.connection]
            let dryRun = try Stack.run(["migrate-store", "--data-dir", dir], environment: environment)
            #expect(dryRun.status == 0 && dryRun.output.contains("dry run: would copy") && dryRun.output.contains("plugin          1 rows"),
                    "\(dryRun.output)")
            // Nothing copied yet: the server has no plugin for user123.
            let before = try Stack.run(["status", "user123", "braindrive-network", "--data-dir", dir], environment: environment)
            #expect(before.output.contains("not_installed"), "\(before.output)")

            let apply = try Stack.run(["migrate-store", "--apply", "--data-dir", dir, "--to", schema.connection])
            #expect(apply.status == 0 && apply.output.contains("copied into the PostgreSQL database in one transaction"), "\(apply.output)")
            let status = try Stack.run(["status", "user123", "braindrive-network", "--json", "--data-dir", dir], environment: environment)
            let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
            #expect(status.status == 0 && json?["status"] as? String == "healthy", "\(status.output)")

            // doctor on the PostgreSQL store: the server's checks, the rows against the folders.
            let doctor = try Stack.run(["doctor", "--data-dir", dir], environment: environment)
            #expect(doctor.status == 0 && doctor.output.contains("PostgreSQL ") && doctor.output.contains("schema migrated to the latest version"),
                    "\(doctor.output)")

            // backup and restore on the PostgreSQL store: the rows come back as they were, so the rerun below still finds them identical.
            let backupFolder = dir + ".backup"; defer { try? FileManager.default.removeItem(atPath: backupFolder) }
            let backup = try Stack.run(["backup", backupFolder, "--data-dir", dir], environment: environment)
            #expect(backup.status == 0 && backup.output.contains("database: 1 installed plugins of 1 users"), "\(backup.output)")
            let restore = try Stack.run(["restore", backupFolder, "--force", "--data-dir", dir], environment: environment)
            #expect(restore.status == 0, "\(restore.output)")

            let rerun = try Stack.run(["migrate-store", "--apply", "--data-dir", dir], environment: environment)
            #expect(rerun.status == 0 && rerun.output.contains("already migrated"), "\(rerun.output)")
            for output in [dryRun.output, apply.output, doctor.output, backup.output, restore.output, rerun.output] {
                #expect(!output.contains(schema.connection), "the URL is never printed")
            }
        }
    }

    @Test func refusesWhileThePoolServesTheDataDirectory() throws {
        let stack = try Stack(); defer { stack.stop() }
        #expect(try stack.request("POST", "/api/plugins/braindrive-network/install", user: "user123").status == 201)
        try PostgresTestServer.withSchema { schema in
            let refused = try stack.cli(["migrate-store", "--apply", "--to", schema.connection])
            #expect(refused.status != 0 && refused.output.contains("the data directory is in use") && refused.output.contains("stop the pool first"),
                    "\(refused.output)")
            #expect(!refused.output.contains(schema.connection), "the URL is never printed")
            // Nothing reached the server: not even the schema.
            #expect((try? schema.run("SELECT 1 FROM schema_migrations")) == nil)
        }
    }
}
