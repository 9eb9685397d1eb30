import GRDB

extension LifecycleDatabase {
    /// Replaces every row of a PostgreSQL store with a backup's SQLite file, in one transaction:
    /// the tables emptied, the backup's rows copied (ids kept, the audit sequence and the lease
    /// generation moved past them), then read back and compared (counts and ordered checksums)
    /// before COMMIT. The file is migrated to this build's schema first (it is a staged copy).
    /// Returns the migrations the store has.
    package func restoreRows(fromBackupFile path: String) throws -> [String] {
        guard onPostgres else { throw StoreError.failed("restoreRows is for a PostgreSQL store") }
        let backup = try LifecycleDatabase(path: path)
        defer { try? backup.closeConnections() }
        try backup.migrate()
        try migrate()
        // Read before the load: nothing that can fail runs after its COMMIT.
        let schema = try schemaState()
        try write { db in
            try db.execute("TRUNCATE plugin, module, installed_file, audit_event, share, operation_lease", [])
            let tallies = try backup.read { source in
                try StoreCopy.copy(source, into: db)
                return try CopiedTable.all.map { try $0.tally(source) }
            }
            try StoreCopy.verify(db, against: tallies)
        }
        return PostgresSchema.migrations.map(\.identifier).filter { !schema.pending.contains($0) }
    }

    /// Whether this PostgreSQL store already holds exactly the rows of the backup file at `path`
    /// (counts and ordered checksums): after an error at the load's COMMIT (a dropped connection)
    /// the load may still have landed, and then the restored folders must stay.
    package func holdsRows(ofBackupFile path: String) -> Bool {
        guard onPostgres, let backup = try? LifecycleDatabase(path: path, readOnlyIfExists: true) else { return false }
        defer { try? backup.closeConnections() }
        guard let tallies = try? backup.read({ source in try CopiedTable.all.map { try $0.tally(source) } }) else { return false }
        return (try? read { db in try StoreCopy.verify(db, against: tallies) }) != nil
    }
}

extension LifecycleDatabase {
    /// Installed plugins, or 0 when nothing migrated the store yet.
    package func countIfMigrated() throws -> Int {
        let schema = try schemaState()
        return schema.pending.count == PostgresSchema.migrations.count && schema.unknown.isEmpty ? 0 : try pluginCount()
    }
}
