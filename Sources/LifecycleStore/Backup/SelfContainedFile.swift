import GRDB

extension LifecycleDatabase {
    /// Folds the WAL of the database at `path` into its file and leaves WAL mode for a rollback
    /// journal, so that the file alone is all of it (a restore moves it aside by one rename).
    /// Switching the journal mode needs every other connection closed: throws ``StoreError/busy``
    /// when another process has the database open.
    package static func makeSelfContained(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(2)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            try queue.writeWithoutTransaction { db in
                let checkpoint = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                if let busy: Int = checkpoint?[0], busy != 0 { throw DatabaseError(resultCode: .SQLITE_BUSY) }
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                if mode?.lowercased() != "delete" { throw DatabaseError(resultCode: .SQLITE_BUSY) }
            }
        } catch {
            throw StoreError.wrap(error)
        }
    }
}
