import GRDB

/// A row whose parent row is missing, as `PRAGMA foreign_key_check` reports it.
public struct ForeignKeyViolation: Sendable, Equatable {
    public var table: String?
    public var rowid: Int64?
    public var parent: String?
}

/// SQLite's own checks of the file, for doctor and restore: whole-database reads that never run on
/// the request path, and work on a read-only connection.
extension LifecycleDatabase {
    public func journalMode() throws -> String? {
        try read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    }

    /// `["ok"]`, or at most `maxMessages` problems.
    public func integrityCheck(maxMessages: Int) throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check(\(maxMessages))") }
    }

    /// The quicker check (no index against table comparison): `["ok"]` or the problems.
    public func quickCheck() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
    }

    public func foreignKeyViolations() throws -> [ForeignKeyViolation] {
        try read { db in
            try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { ForeignKeyViolation(table: $0[0], rowid: $0[1], parent: $0[2]) }
        }
    }
}
