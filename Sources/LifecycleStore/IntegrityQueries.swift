import GRDB

/// A row whose parent row is missing, as `PRAGMA foreign_key_check` reports it.
package struct ForeignKeyViolation: Sendable, Equatable {
    package var table: String?
    package var rowid: Int64?
    package var parent: String?
}

/// SQLite's own checks of the file, for doctor and restore: whole-database reads that never run on
/// the request path, and work on a read-only connection.
extension LifecycleDatabase {
    package func journalMode() throws -> String? {
        try sqlite(for: "integrity checks").readGRDB { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    }

    /// `["ok"]`, or at most `maxMessages` problems.
    package func integrityCheck(maxMessages: Int) throws -> [String] {
        try sqlite(for: "integrity checks").readGRDB { db in try String.fetchAll(db, sql: "PRAGMA integrity_check(\(maxMessages))") }
    }

    /// The quicker check (no index against table comparison): `["ok"]` or the problems.
    package func quickCheck() throws -> [String] {
        try sqlite(for: "integrity checks").readGRDB { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
    }

    package func foreignKeyViolations() throws -> [ForeignKeyViolation] {
        try sqlite(for: "integrity checks").readGRDB { db in
            try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { ForeignKeyViolation(table: $0[0], rowid: $0[1], parent: $0[2]) }
        }
    }
}
