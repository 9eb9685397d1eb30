/// A database the store's rules run on: transactions over ``SQLTransaction``, so the rules
/// (``LifecycleDatabase``'s query files) are written once for SQLite and PostgreSQL.
protocol StoreEngine: Sendable {
    /// Runs `body` in a write transaction that sees a serial world (SQLite: IMMEDIATE, one writer),
    /// mapping the database's errors to ``StoreError``.
    func write<T>(_ body: (any SQLTransaction) throws -> T) throws -> T

    /// Runs `body` in a read transaction: one committed state for all its statements.
    func read<T>(_ body: (any SQLTransaction) throws -> T) throws -> T
}
