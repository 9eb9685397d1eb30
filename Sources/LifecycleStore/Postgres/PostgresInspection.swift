/// What `doctor` reads of a PostgreSQL store, in place of SQLite's PRAGMAs: the server, the
/// settings that decide whether an answered commit survives a crash, and the schema's migrations.
package struct PostgresServerFacts: Sendable, Equatable {
    /// `server_version`, e.g. `15.8 (Debian 15.8-0+deb12u1)`.
    package var version: String
    /// `fsync`, `synchronous_commit` and `full_page_writes`, as the server reports them (`on`, `off`, …).
    package var durability: [String: String]
}

extension PostgresSchema {
    /// Whether anything migrated the database (the search path's schema): a query of one boolean.
    static let hasMigrationTable = "SELECT to_regclass('schema_migrations') IS NOT NULL"
}

extension PostgresEngine {
    /// Where the schema stands, read only: a database nothing migrated has every migration pending.
    func schemaState() throws -> SchemaState {
        try read { db in
            let migrated = try db.one(PostgresSchema.hasMigrationTable, []) { try $0.bool(0) } ?? false
            let applied = migrated ? Set(try db.all("SELECT identifier FROM schema_migrations", []) { try $0.text(0) }) : []
            let known = PostgresSchema.migrations.map(\.identifier)
            return SchemaState(pending: known.filter { !applied.contains($0) }, unknown: applied.subtracting(known).sorted())
        }
    }
}

extension LifecycleDatabase {
    /// The PostgreSQL server's version and durability settings; ``StoreError/failed(_:)`` on SQLite.
    package func postgresServer() throws -> PostgresServerFacts {
        guard engine is PostgresEngine else { throw StoreError.failed("the store is SQLite, not PostgreSQL") }
        return try read { db in
            var durability: [String: String] = [:]
            try db.forEachRow("SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')", []) {
                durability[try $0.text(0)] = try $0.text(1)
            }
            let version = try db.one("SELECT current_setting('server_version')", []) { try $0.text(0) } ?? "?"
            return PostgresServerFacts(version: version, durability: durability)
        }
    }

    /// Rows whose parent row is missing, counted by anti-join (on either store): what foreign keys
    /// forbid, found should they have been bypassed (SQLite with foreign keys off, PostgreSQL with
    /// triggers disabled). Sentences such as "2 module rows point to a missing plugin".
    package func orphanRows() throws -> [String] {
        let checks = [("module", "plugin_id"), ("installed_file", "plugin_id")]
        return try read { db in
            try checks.compactMap { table, column in
                let count = try db.one("""
                    SELECT count(*) FROM \(table) WHERE NOT EXISTS (SELECT 1 FROM plugin WHERE plugin.id = \(table).\(column))
                    """, []) { try $0.integer(0) } ?? 0
                return count == 0 ? nil : "\(count) \(table) rows point to a missing plugin"
            }
        }
    }
}
