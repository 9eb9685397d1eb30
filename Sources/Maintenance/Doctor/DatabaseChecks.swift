import Foundation
import LifecycleCore
import LifecycleStore
import Posix

/// SQLite's own checks (integrity, foreign keys), the journal mode and the schema version.
struct DatabaseChecks {
    let doctor: Doctor
    /// integrity_check stops after this many messages: enough to act on, bounded output.
    static let maxMessages = 20

    /// Returns the database, opened read-only, when its schema is one the agreement checks can query.
    func run(into findings: inout [Finding]) -> LifecycleDatabase? {
        if case .postgres(let connection) = doctor.location {
            return PostgresChecks(doctor: doctor).run(connection: connection, into: &findings)
        }
        let path = doctor.directory.databasePath
        guard FileTree.kind(path) == .regular else { return nil }  // reported by the layout check
        let database: LifecycleDatabase
        do {
            database = try LifecycleDatabase(path: path, readOnlyIfExists: true)
        } catch {
            findings.append(Finding(.error, .database, "database_unreadable", subject: path, "cannot open the database: \(error)",
                                    remedy: "check the file's owner and mode; if it is damaged, `plugin-lifecycle restore` a backup"))
            return nil
        }
        let restore = "restore the last good backup with `plugin-lifecycle restore BACKUP --force --data-dir \(doctor.directory.root)` (pool stopped)"
        do {
            let mode = try database.journalMode() ?? "?"
            if mode.lowercased() == "wal" {
                findings.append(Finding(.ok, .database, "journal_mode", "journal_mode is wal"))
            } else {
                findings.append(Finding(.error, .database, "journal_mode_not_wal", subject: path,
                                        "journal_mode is \(mode), not wal: workers would block each other",
                                        remedy: doctor.command("init") + " with the pool stopped (it opens the database in WAL mode)"))
            }
        } catch {
            findings.append(Finding(.error, .database, "database_unreadable", subject: path, "cannot read the database: \(error)",
                                    remedy: restore))
            return nil
        }
        do {
            let messages = try database.integrityCheck(maxMessages: Self.maxMessages)
            if messages == ["ok"] {
                findings.append(Finding(.ok, .database, "integrity", "integrity_check: ok"))
            } else {
                for message in messages {
                    findings.append(Finding(.error, .database, "integrity", subject: path, "integrity_check: \(message)", remedy: restore))
                }
            }
        } catch {
            findings.append(Finding(.error, .database, "integrity", subject: path, "integrity_check failed: \(error)", remedy: restore))
        }
        do {
            let violations = try database.foreignKeyViolations().map { found in
                "\(found.table ?? "?") row \(found.rowid.map(String.init) ?? "?") points to a missing \(found.parent ?? "?")"
            }
            if violations.isEmpty {
                findings.append(Finding(.ok, .database, "foreign_keys", "foreign_key_check: no violation"))
            }
            for violation in violations.prefix(Self.maxMessages) {
                findings.append(Finding(.error, .database, "foreign_key_violation", subject: path, violation,
                                        remedy: "the row was written with foreign keys off; " + restore + ", or delete the row"))
            }
        } catch {
            findings.append(Finding(.error, .database, "foreign_key_violation", subject: path, "foreign_key_check failed: \(error)", remedy: restore))
        }
        do {
            let schema = try database.schemaState()
            schemaFindings(schema, subject: path, into: &findings)
            // The row checks query the current tables; an older schema lacks some.
            return schema.pending.isEmpty ? database : nil
        } catch {
            findings.append(Finding(.error, .database, "schema_unreadable", subject: path, "cannot read the migration table: \(error)",
                                    remedy: restore))
            return nil
        }
    }

    /// The schema's findings on either store: current, migrations pending, or migrations unknown.
    func schemaFindings(_ schema: SchemaState, subject: String, into findings: inout [Finding]) {
        if schema.isCurrent {
            findings.append(Finding(.ok, .database, "schema", "schema migrated to the latest version"))
        }
        if !schema.pending.isEmpty {
            findings.append(Finding(.error, .database, "schema_outdated", subject: subject,
                                    "migrations not applied: \(schema.pending.joined(separator: ", "))",
                                    remedy: doctor.command("init") + " (or restart `serve`, which migrates before spawning workers)"))
        }
        if !schema.unknown.isEmpty {
            findings.append(Finding(.error, .database, "schema_newer", subject: subject,
                                    "migrations this build does not know: \(schema.unknown.joined(separator: ", ")) (a newer build wrote it)",
                                    remedy: "run the newer build of plugin-lifecycle"))
        }
    }
}
