import LifecycleStore

/// The store's checks on a PostgreSQL server, in place of SQLite's PRAGMAs: the server answers,
/// its durability settings, the schema's migrations, and rows whose parent is missing. The URL is
/// never a finding's subject (it may hold a password).
struct PostgresChecks {
    let doctor: Doctor
    static let subject = "the PostgreSQL store"

    /// Returns the database when its schema is one the agreement checks can query.
    func run(connection: String, into findings: inout [Finding]) -> LifecycleDatabase? {
        let subject = Self.subject
        let database: LifecycleDatabase
        let server: PostgresServerFacts
        do {
            database = try LifecycleDatabase(location: .postgres(connection: connection))
            server = try database.postgresServer()
        } catch {
            findings.append(Finding(.error, .database, "database_unreachable", subject: subject, "cannot reach the PostgreSQL store: \(error)",
                                    remedy: "check that the server runs and that --database-url / \(StoreLocation.environmentVariable) names it"))
            return nil
        }
        findings.append(Finding(.ok, .database, "server", "PostgreSQL \(server.version)"))
        // Off is for throwaway test servers: an answered install could vanish in a crash.
        let off = ["fsync", "synchronous_commit", "full_page_writes"].filter { server.durability[$0] == "off" }
        if off.isEmpty {
            findings.append(Finding(.ok, .database, "durability", "fsync, synchronous_commit and full_page_writes are on"))
        } else {
            findings.append(Finding(.warning, .database, "durability_off", subject: subject,
                                    "\(off.joined(separator: ", ")) off: a server crash can lose operations already answered",
                                    remedy: "set \(off.map { "\($0) = on" }.joined(separator: ", ")) in postgresql.conf (off is for test servers only)"))
        }
        let schema: SchemaState
        do {
            schema = try database.schemaState()
        } catch {
            findings.append(Finding(.error, .database, "schema_unreadable", subject: subject, "cannot read the migration table: \(error)",
                                    remedy: "check the role's privileges on the database's schema"))
            return nil
        }
        DatabaseChecks(doctor: doctor).schemaFindings(schema, subject: subject, into: &findings)
        // The row checks query the current tables; an older schema lacks some.
        guard schema.pending.isEmpty else { return nil }
        do {
            let orphans = try database.orphanRows()
            if orphans.isEmpty {
                findings.append(Finding(.ok, .database, "foreign_keys", "no row points to a missing plugin"))
            }
            for orphan in orphans {
                findings.append(Finding(.error, .database, "foreign_key_violation", subject: subject, orphan,
                                        remedy: "the rows were written with triggers disabled; delete them, then `repair` the plugins concerned"))
            }
        } catch {
            findings.append(Finding(.error, .database, "foreign_key_violation", subject: subject, "the orphan check failed: \(error)",
                                    remedy: "check that the server runs"))
        }
        return database
    }
}
