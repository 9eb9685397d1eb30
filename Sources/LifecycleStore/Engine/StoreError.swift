import GRDB
import GRDBSQLite

/// Errors of the store, before the API maps them to problem codes.
package enum StoreError: Error, Sendable, Equatable {
    /// The database stayed locked past the busy timeout.
    case busy
    /// The database file or its folder cannot be written.
    case notWritable
    /// The disk is full.
    case diskFull
    /// Anything else the database reported, with its message for the log.
    case failed(String)
    /// The PostgreSQL server cannot be reached, or it ended the session (a restart, a dropped
    /// network): the message is for the log and never holds the connection string. The next use
    /// connects again, so a caller may retry shortly.
    case unavailable(String)
    /// A PostgreSQL transaction lost a serialization conflict or a deadlock (40001, 40P01). The
    /// engine re-runs the whole write; callers see `.busy` once its tries are spent.
    case serializationFailure
    /// The database holds migrations this build does not know (a newer build migrated it): it is
    /// refused rather than used with a schema this build cannot read.
    case unknownMigrations([String])
    /// A SQLite-only part of the service (backup, restore, integrity checks) was asked of a
    /// PostgreSQL store: refused rather than faked.
    case notOnPostgres(String)

    /// What an operator reads when a SQLite-only `feature` is asked of PostgreSQL.
    package static func notOnPostgresMessage(_ feature: String) -> String { "\(feature) is not available on PostgreSQL yet" }

    /// Classifies a GRDB error; anything that is not a DatabaseError passes through unchanged.
    package static func wrap(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        return StoreError(resultCode: error.extendedResultCode.rawValue, message: error.description)
    }

    /// Classifies an SQLite result code (primary or extended): GRDB's errors and the hot reader's alike.
    init(resultCode: Int32, message: String) {
        switch resultCode & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: self = .busy
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH: self = .notWritable
        case SQLITE_FULL: self = .diskFull
        default: self = .failed(message)
        }
    }
}
