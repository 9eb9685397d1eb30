import GRDBSQLite

/// How a hot connection waits for a lock held by another process: as the database's GRDB
/// connections do (``LifecycleDatabase``'s busy timeout, counted when a process observes waits).
enum HotBusyMode: Sendable {
    case timeout(milliseconds: Int32)
    case callback(@Sendable (_ tries: Int) -> Bool)
}

/// A read-only SQLite connection owned by one thread, through SQLite's C API, with the hot read
/// routes' statements prepared once for its life (`SQLITE_PREPARE_PERSISTENT`). A schema change
/// made by another connection re-prepares a statement inside `sqlite3_step` (`sqlite3_prepare_v3`
/// keeps the SQL for that). Only its thread uses it; ``HotReader`` closes it with the database.
final class HotConnection {
    let handle: OpaquePointer
    let begin: HotStatement
    let commit: HotStatement
    let rollback: HotStatement
    let leaseOfPlugin: HotStatement
    let leasesOfUser: HotStatement
    let pluginHealth: HotStatement
    let moduleNamesOfPlugin: HotStatement
    let fileSizesOfPlugin: HotStatement
    let pluginHealthOfUser: HotStatement
    let modulesOfUser: HotStatement
    let filesOfUser: HotStatement
    let versionsOfUser: HotStatement
    let pluginToServe: HotStatement
    let fileOfPlugin: HotStatement
    let ping: HotStatement
    private let statements: [HotStatement]
    /// Statements this connection prepared: all of them at open, and never again (the tests count).
    let prepared: Int
    private(set) var isClosed = false
    private let busy: BusyHandler?

    /// Opens `path` read-only. `schemaReady` runs first on the new handle and must see every
    /// migration applied (it runs them through GRDB when not): the statements need the schema.
    init(path: String, busyMode: HotBusyMode, schemaReady: (OpaquePointer) throws -> Void) throws {
        var opened: OpaquePointer?
        // SQLITE_OPEN_EXRESCODE: extended result codes, as GRDB asks for them.
        let code = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | 0x0200_0000, nil)
        guard code == SQLITE_OK, let handle = opened else {
            let error = StoreError(sqliteCode: code, connection: opened)
            sqlite3_close(opened)
            throw error
        }
        self.handle = handle
        switch busyMode {
        case .timeout(let milliseconds):
            busy = nil
            sqlite3_busy_timeout(handle, milliseconds)
        case .callback(let callback):
            let busy = BusyHandler(callback)
            self.busy = busy
            sqlite3_busy_handler(handle, { context, tries in
                Unmanaged<BusyHandler>.fromOpaque(context!).takeUnretainedValue().callback(Int(tries)) ? 1 : 0
            }, Unmanaged.passUnretained(busy).toOpaque())
        }
        var statements: [HotStatement] = []
        func prepare(_ sql: String) throws -> HotStatement {
            var statement: OpaquePointer?
            let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
            guard code == SQLITE_OK, let statement else { throw StoreError(sqliteCode: code, connection: handle) }
            statements.append(HotStatement(pointer: statement))
            return statements[statements.count - 1]
        }
        do {
            // The settings of the GRDB connections (LifecycleDatabase's prepareDatabase; GRDB's own
            // double-quoted-literal rule). They change no read, but keep the two paths alike.
            _disableDoubleQuotedStringLiterals(handle)
            // A page cache of 1 MiB, not SQLite's 2 MB: one per accept thread, it was most of a
            // worker's private memory on a large database (8 threads: 24 MiB USS), and a request
            // reads a few dozen pages; the rest come from the kernel's page cache, shared.
            let pragmas = sqlite3_exec(handle, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -1024",
                                       nil, nil, nil)
            guard pragmas == SQLITE_OK else { throw StoreError(sqliteCode: pragmas, connection: handle) }
            try schemaReady(handle)
            begin = try prepare("BEGIN")
            commit = try prepare("COMMIT")
            rollback = try prepare("ROLLBACK")
            leaseOfPlugin = try prepare(HotQueries.leaseOfPlugin)
            leasesOfUser = try prepare(HotQueries.leasesOfUser)
            pluginHealth = try prepare(HotQueries.pluginHealth)
            moduleNamesOfPlugin = try prepare(HotQueries.moduleNamesOfPlugin)
            fileSizesOfPlugin = try prepare(HotQueries.fileSizesOfPlugin)
            pluginHealthOfUser = try prepare(HotQueries.pluginHealthOfUser)
            modulesOfUser = try prepare(HotQueries.modulesOfUser)
            filesOfUser = try prepare(HotQueries.filesOfUser)
            versionsOfUser = try prepare(HotQueries.versionsOfUser)
            pluginToServe = try prepare(HotQueries.pluginToServe)
            fileOfPlugin = try prepare(HotQueries.fileOfPlugin)
            ping = try prepare(HotQueries.ping)
        } catch {
            for statement in statements { sqlite3_finalize(statement.pointer) }
            sqlite3_close(handle)
            throw error
        }
        self.statements = statements
        prepared = statements.count
    }

    /// Runs `body` in one read transaction: every statement in it reads the same committed state,
    /// whatever other connections commit meanwhile (WAL: the snapshot is taken at the first read).
    func snapshot<T>(_ body: () throws -> T) throws -> T {
        try begin.execute()
        let result: T
        do {
            result = try body()
            try commit.execute()
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { try? rollback.execute() }
            throw error
        }
        return result
    }

    /// Finalizes the statements and closes the connection. Called by ``HotReader`` only, when no
    /// thread is reading (the database is going away, or its connections are being closed).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        for statement in statements { sqlite3_finalize(statement.pointer) }
        sqlite3_close(handle)
    }

    var statistics: HotReader.Statistics {
        HotReader.Statistics(connection: UInt(bitPattern: Int(bitPattern: handle)), prepared: prepared,
                             reprepared: statements.reduce(0) { $0 + $1.reprepares },
                             runs: statements.reduce(0) { $0 + $1.runs })
    }
}

/// The context of SQLite's busy handler: the database's own waiting rule.
private final class BusyHandler {
    let callback: @Sendable (_ tries: Int) -> Bool
    init(_ callback: @escaping @Sendable (_ tries: Int) -> Bool) { self.callback = callback }
}

extension StoreError {
    /// A result code of the C API, classified as ``StoreError/wrap(_:)`` classifies GRDB's errors.
    init(sqliteCode code: Int32, connection: OpaquePointer?) {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
        self.init(resultCode: code, message: "SQLite error \(code): \(message)")
    }
}
