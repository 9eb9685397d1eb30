/// The hot routes' reads on PostgreSQL: each read is one prepared statement
/// (``PostgresHotQueries``), run outside any transaction on a session of the engine's pool, so a
/// request costs one round trip to the server. The rows decode as the SQLite reader's do
/// (``HealthRowsBuilder``, the records' `init(columns:)`), part by part.
package final class PostgresHotReader: HotReads {
    private let engine: PostgresEngine

    package init(engine: PostgresEngine) {
        self.engine = engine
    }

    package func leaseAndHealthRows(userID: String, slug: String) throws -> (lease: OperationLease?, plugin: PluginHealthRows?) {
        var lease: OperationLease?
        var health = HealthRowsBuilder()
        let both: [SQLValue] = [.text(userID), .text(slug)]
        try rows(PostgresHotQueries.leaseAndHealth, both + both + both + both) { part, row in
            switch part {
            case 0: lease = try OperationLease(columns: row)
            case 1: try health.addPlugin(row)
            case 2: try health.addModule(row)
            default: try health.addFile(row)
            }
        }
        return (lease, health.plugins.first)
    }

    package func leasesAndHealthRows(userID: String) throws -> (leases: [OperationLease], plugins: [PluginHealthRows]) {
        var leases: [OperationLease] = []
        var health = HealthRowsBuilder()
        try rows(PostgresHotQueries.leasesAndHealth, Array(repeating: .text(userID), count: 4)) { part, row in
            switch part {
            case 0: leases.append(try OperationLease(columns: row))
            case 1: try health.addPlugin(row)
            case 2: try health.addModule(row)
            default: try health.addFile(row)
            }
        }
        return (leases, health.plugins)
    }

    package func leaseAndFileRows(userID: String, slug: String, path: String) throws -> (lease: OperationLease?, plugin: PluginFileRows?) {
        var lease: OperationLease?
        var plugin: PluginFileRows?
        let both: [SQLValue] = [.text(userID), .text(slug)]
        try rows(PostgresHotQueries.leaseAndFile, both + both + both + [.text(path)]) { part, row in
            switch part {
            case 0: lease = try OperationLease(columns: row)
            case 1: plugin = try PluginFileRows(plugin: row)
            // Sorted by part: the plugin's row came first (none: no file row either, by the join).
            default:
                let pluginID = plugin?.pluginID
                plugin?.file = try InstalledFileRow(columns: row, pluginID: pluginID)
            }
        }
        return (lease, plugin)
    }

    /// One statement already: no transaction around it.
    package func installedVersions(userID: String) throws -> [String: String] {
        try engine.outsideTransaction { session in
            var versions: [String: String] = [:]
            try session.forEachPostgresRow(HotQueries.versionsOfUser, [.text(userID)]) { versions[try $0.text(0)] = try $0.text(1) }
            return versions
        }
    }

    package func ping() throws {
        try engine.outsideTransaction { session in
            _ = try session.one(PostgresHotQueries.ping) { try $0.integer(0) }
        }
    }

    /// Closes the engine's idle sessions (those of every read and write: they are one pool).
    package func close() {
        engine.close()
    }

    /// Runs a combined statement, handing each row to `body` with its part's number, seen from that part.
    private func rows(_ statement: PostgresHotQueries.Statement, _ arguments: [SQLValue],
                      _ body: (Int64, PartRow) throws -> Void) throws {
        try engine.outsideTransaction { session in
            try session.forEachPostgresRow(statement.sql, slot: statement.slot, arguments) { row in
                let part = try row.integer(0)
                guard part >= 0, part < statement.offsets.count else {
                    throw StoreError.failed("part \(part) of a hot read has no columns")
                }
                try body(part, PartRow(row: row, offset: statement.offsets[Int(part)]))
            }
        }
    }
}
