import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One PostgreSQL session through libpq, synchronous, used by one thread at a time (the engine
/// hands it out and takes it back). Each distinct SQL text is prepared once for the life of the
/// session (`s1`, `s2`, …) and run with `PQexecPrepared`; parameters go as text and the server
/// types each from its context (`'t'` and `'1'` both load into a boolean column).
///
/// The connection string is never logged: error messages come from libpq's diagnostics only,
/// and a string libpq cannot parse is reported without being echoed.
final class PostgresConnection: SQLTransaction {
    private let handle: OpaquePointer
    /// This session's prepared statements, by the SQL text the store wrote (with `?`).
    private var statements: [String: (name: String, parameters: Int)] = [:]
    /// The same, for statements known by a slot number (the hot reads'): found without hashing
    /// their text, which for a combined read is kilobytes (a tenth of a status request, callgrind).
    private var slots: [(name: String, parameters: Int)?] = []
    /// Actions for after COMMIT, collected while a transaction runs; the engine takes them.
    private var afterCommitActions: [@Sendable () -> Void] = []

    /// Session settings that bound waits: a lock held by a stalled peer gives up after 2 s
    /// (55P03), a session left idle inside a transaction (a stopped process) is ended by the
    /// server after 5 s, freeing its row locks, and no statement runs past 30 s.
    private static let sessionSettings =
        "SET lock_timeout = '2s'; SET idle_in_transaction_session_timeout = '5s'; SET statement_timeout = '30s'"

    init(connection: String) throws(StoreError) {
        // libpq parses a URL or a key=value string alike; its parse errors may quote the string.
        var parseError: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(connection, &parseError) else {
            PQfreemem(parseError)
            throw .failed("the database URL is not a valid PostgreSQL connection string")
        }
        PQconninfoFree(parsed)
        // Later entries win: the defaults come before the operator's string, the name after it.
        let settings: [(String, String)] = [
            ("connect_timeout", "2"),
            ("keepalives", "1"), ("keepalives_idle", "10"), ("keepalives_interval", "5"), ("keepalives_count", "3"),
            ("dbname", connection),
            ("application_name", "plugin-lifecycle/\(getpid())"),
        ]
        let keywords = settings.map { strdup($0.0) }
        let values = settings.map { strdup($0.1) }
        defer { for pointer in keywords + values { free(pointer) } }
        let opened = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { keywordList in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { valueList in
                PQconnectdbParams(keywordList.baseAddress, valueList.baseAddress, 1)
            }
        }
        guard let opened else { throw .unavailable("libpq could not allocate a connection") }
        guard PQstatus(opened) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(opened))
            PQfinish(opened)
            throw .unavailable(message)
        }
        handle = opened
        // The server's notices (e.g. "relation already exists, skipping") would go to stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        try command(Self.sessionSettings)
    }

    deinit { PQfinish(handle) }

    var dialect: SQLDialect { .postgres }

    /// Whether the session can take another transaction: connected and outside any transaction.
    var isReusable: Bool { PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE }

    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        let result = try run(sql, arguments)
        defer { PQclear(result) }
        // Empty for a statement that reports no count.
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ row: (any ColumnSource) throws -> Void) throws {
        try forEachPostgresRow(sql, arguments) { try row($0) }
    }

    /// ``forEachRow(_:_:_:)`` with the rows as libpq's (the hot reader reads a part number first);
    /// `slot`: a small number that stands for `sql` on every session (always the same text).
    func forEachPostgresRow(_ sql: String, slot: Int? = nil, _ arguments: [SQLValue], _ row: (PostgresRow) throws -> Void) throws {
        let result = try run(sql, slot: slot, arguments)
        defer { PQclear(result) }
        for index in 0..<PQntuples(result) { try row(PostgresRow(result: result, row: index, sql: sql)) }
    }

    func afterCommit(_ action: @escaping @Sendable () -> Void) { afterCommitActions.append(action) }

    /// The actions collected since the last call; the engine runs them after a successful COMMIT
    /// and drops them after a rollback.
    func takeAfterCommitActions() -> [@Sendable () -> Void] {
        defer { afterCommitActions = [] }
        return afterCommitActions
    }

    /// Runs SQL without parameters through the simple protocol, unprepared: transaction control,
    /// settings and DDL (several statements separated by `;` allowed).
    func command(_ sql: String) throws(StoreError) {
        let result = PQexec(handle, sql)
        try check(result)
        PQclear(result)
    }

    /// Ends a failed transaction, if the session is still in one and still connected.
    func rollBack() {
        afterCommitActions = []
        let state = PQtransactionStatus(handle)
        if state == PQTRANS_INTRANS || state == PQTRANS_INERROR { try? command("ROLLBACK") }
    }

    private func run(_ sql: String, slot: Int? = nil, _ arguments: [SQLValue]) throws(StoreError) -> OpaquePointer {
        let statement = if let slot { try prepared(sql, slot: slot) } else { try prepared(sql) }
        // A count mismatch would reach the server as a protocol error (class 08): refuse it here.
        guard statement.parameters == arguments.count else {
            throw .failed("\(arguments.count) arguments for \(statement.parameters) placeholders in \(sql)")
        }
        let texts: [UnsafeMutablePointer<CChar>?] = arguments.map { value in Self.text(value).flatMap { strdup($0) } }
        defer { for text in texts { free(text) } }
        let result = texts.map { $0.map { UnsafePointer($0) } }.withUnsafeBufferPointer { values in
            PQexecPrepared(handle, statement.name, Int32(values.count), values.baseAddress, nil, nil, 0)
        }
        try check(result)
        return result!
    }

    private func prepared(_ sql: String, slot: Int) throws(StoreError) -> (name: String, parameters: Int) {
        if slot < slots.count, let statement = slots[slot] { return statement }
        let statement = try prepared(sql)
        if slot >= slots.count { slots += Array(repeating: nil, count: slot + 1 - slots.count) }
        slots[slot] = statement
        return statement
    }

    private func prepared(_ sql: String) throws(StoreError) -> (name: String, parameters: Int) {
        if let statement = statements[sql] { return statement }
        let numbered = Self.numberingPlaceholders(sql)
        let name = "s\(statements.count + 1)"
        let result = PQprepare(handle, name, numbered.text, 0, nil)
        try check(result)
        PQclear(result)
        let statement = (name: name, parameters: numbered.count)
        statements[sql] = statement
        return statement
    }

    /// Throws the classified error of a result that failed, after freeing it.
    private func check(_ result: OpaquePointer?) throws(StoreError) {
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return }
        defer { PQclear(result) }
        let message = Self.trimmed(result.map { PQresultErrorMessage($0) } ?? PQerrorMessage(handle))
        // A lost session has no SQLSTATE of its own (libpq reports "server closed the connection").
        guard PQstatus(handle) == CONNECTION_OK else { throw .unavailable(message) }
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) } ?? ""
        throw StoreError(sqlState: state, message: message)
    }

    /// A parameter as libpq's text format; nil is SQL NULL.
    private static func text(_ value: SQLValue) -> String? {
        switch value {
        case .null: nil
        case .integer(let integer): String(integer)
        // Swift prints the shortest text that reads back as the same Double.
        case .real(let real): real.isNaN ? "NaN" : real.isInfinite ? (real < 0 ? "-Infinity" : "Infinity") : String(real)
        case .text(let text): text
        case .bool(let bool): bool ? "t" : "f"
        }
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        let text = message.map { String(cString: $0) } ?? "unknown libpq error"
        return String(text.reversed().drop(while: \.isNewline).reversed())
    }
}

extension PostgresConnection {
    /// The statement with its `?` placeholders numbered `$1`, `$2`, …, and how many there are.
    /// A `?` inside a string literal, a quoted identifier or a comment is left as it is.
    static func numberingPlaceholders(_ sql: String) -> (text: String, count: Int) {
        enum Context { case code, literal, identifier, lineComment, blockComment }
        var context = Context.code
        var output: [UInt8] = []
        output.reserveCapacity(sql.utf8.count + 8)
        var count = 0
        var previous: UInt8 = 0
        for byte in sql.utf8 {
            switch (context, byte) {
            case (.code, UInt8(ascii: "?")):
                count += 1
                output.append(UInt8(ascii: "$"))
                output.append(contentsOf: String(count).utf8)
                previous = 0
                continue
            case (.code, UInt8(ascii: "'")): context = .literal
            case (.code, UInt8(ascii: "\"")): context = .identifier
            case (.code, UInt8(ascii: "-")) where previous == UInt8(ascii: "-"): context = .lineComment
            case (.code, UInt8(ascii: "*")) where previous == UInt8(ascii: "/"): context = .blockComment
            // A doubled quote inside a literal closes it and opens it again: the same result.
            case (.literal, UInt8(ascii: "'")), (.identifier, UInt8(ascii: "\"")), (.lineComment, UInt8(ascii: "\n")):
                context = .code
            case (.blockComment, UInt8(ascii: "/")) where previous == UInt8(ascii: "*"): context = .code
            default: break
            }
            output.append(byte)
            // A closed comment's last byte must not start the next one (`*/*`).
            previous = context == .code && (byte == UInt8(ascii: "/") && previous == UInt8(ascii: "*")) ? 0 : byte
        }
        return (String(decoding: output, as: UTF8.self), count)
    }
}

extension StoreError {
    /// Classifies a PostgreSQL error by its SQLSTATE (Appendix A of PostgreSQL's manual).
    init(sqlState state: String, message: String) {
        switch state {
        case "40001", "40P01": self = .serializationFailure
        case "57P01", "57P02", "57P03": self = .unavailable(message)
        case _ where state.hasPrefix("08"): self = .unavailable(message)
        case "53100": self = .diskFull
        case "42501", "25006": self = .notWritable
        // lock_timeout: a row or advisory lock held past its bound.
        case "55P03": self = .busy
        default: self = .failed("PostgreSQL error \(state): \(message)")
        }
    }
}
