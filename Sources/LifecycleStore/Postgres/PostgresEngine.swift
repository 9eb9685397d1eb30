import Posix
#if canImport(Glibc)
import Glibc
#endif

/// The store's transactions on a PostgreSQL server: sessions kept in a small pool (one per
/// thread that is inside a transaction at the same moment, so one per accept thread in a
/// worker), each with its own prepared statements.
///
/// A write is SERIALIZABLE, so each closure keeps the one-writer world it has on SQLite (where
/// `BEGIN IMMEDIATE` serialises writers); a serialization failure or deadlock re-runs the whole
/// closure, and its after-commit actions run once, after the COMMIT that succeeded. A read is
/// REPEATABLE READ, READ ONLY: one snapshot, never a serialization failure.
///
/// A session the server dropped (a restart) is discarded; the next transaction connects again
/// and prepares its statements again, with no process restart. While the server is down,
/// transactions throw ``StoreError/unavailable(_:)``.
package final class PostgresEngine: StoreEngine, @unchecked Sendable {
    // @unchecked: a session is used by one thread at a time, between taking it from `idle` and
    // putting it back; the list itself is behind a lock.
    private let connection: String
    private let idle = Locked<[PostgresConnection]>([])
    private let retries = Locked(0)

    /// How long a write that keeps losing serialization conflicts is re-run before it is `.busy`:
    /// SQLite's busy timeout, so either store answers 503 after the same wait.
    static let retryBudget: Double = 5

    /// `connection`: a `postgres://` URL or a libpq `key=value` string. Nothing connects yet.
    package init(connection: String) {
        self.connection = connection
    }

    /// Runs `body` in a SERIALIZABLE transaction, again from the start after a serialization
    /// failure or deadlock, for up to ``retryBudget`` seconds (a jittered back-off from 1 ms,
    /// doubling to 32 ms: many writers on hot index pages retry often, and each try is short).
    func write<T>(_ body: (any SQLTransaction) throws -> T) throws -> T {
        let deadline = LeaseKeeper.now() + Self.retryBudget
        var attempt = 1
        while true {
            do {
                return try transaction("BEGIN ISOLATION LEVEL SERIALIZABLE") { try body($0) }
            } catch StoreError.serializationFailure {
                let pause = Double(1_000 << min(attempt - 1, 5)) * Double.random(in: 0.5...1.5)
                guard LeaseKeeper.now() + pause / 1_000_000 < deadline else { throw StoreError.busy }
                retries.withLock { $0 += 1 }
                usleep(UInt32(pause))
                attempt += 1
            }
        }
    }

    /// The next lease generation, drawn in a transaction of its own (READ COMMITTED: concurrent
    /// draws wait on the counter's row lock, never fail), so that the SERIALIZABLE transaction
    /// taking the lease does not read and write the one row every acquisition touches, which
    /// failed concurrent acquisitions by the dozen. A draw whose lease is then not taken leaves a gap.
    func drawLeaseGeneration() throws -> Int64 {
        try transaction("BEGIN") { session in
            guard let generation = try session.one(LeaseCounter.draw, [], { try $0.integer(0) }) else {
                throw StoreError.failed("lease_counter missing")
            }
            return generation
        }
    }

    /// Runs `body` in a REPEATABLE READ, READ ONLY transaction: every statement reads one snapshot.
    func read<T>(_ body: (any SQLTransaction) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") { try body($0) }
    }

    /// Write transactions re-run after a serialization failure or deadlock, since the start.
    package var serializationRetries: Int { retries.withLock { $0 } }

    /// Runs SQL text (several statements allowed) in one transaction: set-up outside the rules (tests' schemas).
    package func runScript(_ sql: String) throws {
        try transaction("BEGIN") { try $0.command(sql) }
    }

    /// Closes the idle sessions; sessions in use close when they come back broken or at exit.
    package func close() {
        idle.withLock { $0.removeAll() }
    }

    /// Runs `body` between `begin` and COMMIT on a session from the pool; the session goes back
    /// to the pool unless the server dropped it. After-commit actions run after COMMIT only.
    func transaction<T>(_ begin: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        let session = try beginning(begin)
        let result: T
        do {
            result = try body(session)
            try session.command("COMMIT")
        } catch {
            session.rollBack()
            giveBack(session)
            throw error
        }
        let actions = session.takeAfterCommitActions()
        giveBack(session)
        for action in actions { action() }
        return result
    }

    /// Runs `body`, which reads and writes nothing but one statement's worth (each statement its
    /// own snapshot), on a session from the pool outside any transaction: the hot reads
    /// (``PostgresHotReader``). A pooled session that the server dropped while idle (a restart)
    /// is discarded and `body` runs again on a new one: a read has nothing to undo.
    func outsideTransaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        if let pooled = idle.withLock({ $0.popLast() }) {
            do {
                let result = try body(pooled)
                giveBack(pooled)
                return result
            } catch StoreError.unavailable {
                // Once more below, on a new session (the server being down fails it at once).
            } catch {
                giveBack(pooled)
                throw error
            }
        }
        let session = try PostgresConnection(connection: connection)
        defer { giveBack(session) }
        return try body(session)
    }

    /// A session from the pool, or a new one, inside a transaction opened by `begin`.
    private func beginning(_ begin: String) throws -> PostgresConnection {
        if let pooled = idle.withLock({ $0.popLast() }) {
            do {
                try pooled.command(begin)
                return pooled
            } catch {
                // It died while idle (a server restart): nothing ran yet, so a new session may try.
                guard case .unavailable = error else { throw error }
            }
        }
        let session = try PostgresConnection(connection: connection)
        try session.command(begin)
        return session
    }

    private func giveBack(_ session: PostgresConnection) {
        guard session.isReusable else { return }
        idle.withLock { $0.append(session) }
    }
}
