import GRDB

/// Where a database's schema stands against the migrations this build knows.
package struct SchemaState: Sendable, Equatable {
    /// Migrations this build would apply (`serve` and `init` apply them).
    package var pending: [String]
    /// Migrations the database has that this build does not know: a newer build wrote it.
    package var unknown: [String]

    package var isCurrent: Bool { pending.isEmpty && unknown.isEmpty }
}

extension LifecycleDatabase {
    /// Reads the migration table only, so it works on a read-only connection.
    package func schemaState() throws -> SchemaState {
        if let postgres = engine as? PostgresEngine { return try postgres.schemaState() }
        let migrator = LifecycleMigrations.migrator
        return try sqlite(for: "schema inspection").readGRDB { db in
            let applied = try migrator.appliedIdentifiers(db)
            return SchemaState(pending: migrator.migrations.filter { !applied.contains($0) },
                               unknown: applied.subtracting(migrator.migrations).sorted())
        }
    }
}

extension LifecycleDatabase {
    /// The migrations the database has, in the order they were applied. Unlike ``schemaState()``
    /// it fails on a database without a migration table (one this service never wrote).
    package func appliedMigrations() throws -> [String] {
        try sqlite(for: "schema inspection").readGRDB { db in try Self.appliedMigrations(db) }
    }

    static func appliedMigrations(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
    }
}
