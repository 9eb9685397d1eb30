import Foundation
import StoreTestSupport
import Testing

/// The executable on a PostgreSQL store: the data directory keeps the files, the server the rows.
@Suite(.timeLimit(.minutes(10)),
       .enabled(if: PostgresTestServer.runs,
                "PLUGIN_LIFECYCLE_TEST_DATABASE_URL is unset: no PostgreSQL server to test against (deploy/test starts one)"))
struct PostgresCLITests {
    @Test func installThenStatusOnPostgreSQLByOptionAndByEnvironment() throws {
        let dir = try Stack.initializedDataDirectory(prefix: "lc-pg-cli"); defer { try? FileManager.default.removeItem(atPath: dir) }
        try PostgresTestServer.withSchema { schema in
            let install = try Stack.run(["install", "user123", "braindrive-network", "--data-dir", dir, "--database-url", schema.connection])
            #expect(install.status == 0 && install.output.contains("installed braindrive_network 1.1.0 for user123"), "\(install.output)")
            // The URL from the environment, as workers read it.
            let status = try Stack.run(["status", "user123", "braindrive-network", "--json", "--data-dir", dir],
                                       environment: ["PLUGIN_LIFECYCLE_DATABASE_URL": schema.connection])
            let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
            #expect(status.status == 0 && json?["status"] as? String == "healthy", "\(status.output)")
            #expect(!status.output.contains(schema.connection) && !install.output.contains(schema.connection), "the URL is never printed")
            // The rows are on the server, not in the data directory's SQLite file.
            #expect(try Stack.run(["status", "user123", "braindrive-network", "--data-dir", dir]).output.contains("not_installed"))
            // backup reads the server's rows (MaintenanceCLI's PostgreSQL case covers it whole).
            let backup = try Stack.run(["backup", "--data-dir", dir, "--database-url", schema.connection, dir + ".b"])
            defer { try? FileManager.default.removeItem(atPath: dir + ".b") }
            #expect(backup.status == 0 && backup.output.contains("database: 1 installed plugins of 1 users"), "\(backup.output)")
        }
    }

    /// `serve --database-url`: the master hands the URL to its workers through their environment
    /// (never their argv), and the API installs and answers a status from the server's rows.
    @Test func serveWithADatabaseURLInstallsAndAnswersStatus() throws {
        try PostgresTestServer.withSchema { schema in
            let stack = try Stack(serveArguments: ["--database-url", schema.connection]); defer { stack.stop() }
            let install = try stack.request("POST", "/api/plugins/braindrive-network/install", user: "user123")
            #expect(install.status == 201, "\(install.text)")
            let status = try stack.get("/api/plugins/braindrive-network/status", user: "user123")
            #expect(status.status == 200 && status.data?["status"] as? String == "healthy", "\(status.text)")
            let log = (try? String(contentsOfFile: stack.poolLog, encoding: .utf8)) ?? ""
            #expect(!log.contains(schema.connection), "the URL is never logged")
            for pid in stack.workerPIDs() {
                let argv = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                #expect(!argv.contains(schema.connection), "the URL is not in a worker's argv")
            }
        }
    }
}
