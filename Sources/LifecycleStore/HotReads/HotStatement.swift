import GRDBSQLite
#if canImport(Glibc)
import Glibc
#endif

/// One statement of a hot connection, prepared once for the life of its thread's connection.
/// Text parameters are bound without a copy (`SQLITE_STATIC`): the bytes are the caller's and stay
/// valid until the statement is reset, which every run does before it returns.
struct HotStatement: ColumnSource {
    let pointer: OpaquePointer

    /// Runs a statement without parameters to its end (`BEGIN`, `COMMIT`, `ROLLBACK`).
    func execute() throws {
        defer { sqlite3_reset(pointer) }
        while try step() {}
    }

    /// Runs the statement with `first` (and `second`) bound, calling `row` on each result row.
    func run(_ first: String, _ second: String? = nil, row: (HotStatement) throws -> Void) throws {
        var first = first
        try first.withUTF8 { firstBytes in
            try bind(1, firstBytes)
            guard var second else { return try steps(row) }
            try second.withUTF8 { secondBytes in
                try bind(2, secondBytes)
                try steps(row)
            }
        }
    }

    private func steps(_ row: (HotStatement) throws -> Void) throws {
        defer {
            sqlite3_reset(pointer)
            sqlite3_clear_bindings(pointer)
        }
        while try step() { try row(self) }
    }

    private func step() throws -> Bool {
        switch sqlite3_step(pointer) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw StoreError(sqliteCode: code, connection: sqlite3_db_handle(pointer))
        }
    }

    private func bind(_ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>) throws {
        // An empty buffer may have no address, and a null pointer would bind NULL, not ''.
        let base = bytes.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(Self.emptyText)
        let code = sqlite3_bind_text(pointer, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
        guard code == SQLITE_OK else { throw StoreError(sqliteCode: code, connection: sqlite3_db_handle(pointer)) }
    }

    nonisolated(unsafe) private static let emptyText: UnsafeMutablePointer<CChar> = {
        let text = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        text.initialize(to: 0)
        return text
    }()

    // Columns of the current row, read as the schema stores them; NULL where a value is required
    // is an error, as in GRDB.
    func text(_ column: Int32) throws -> String {
        guard let text = try optionalText(column) else { throw nullColumn(column) }
        return text
    }

    func text(_ column: Int32, equals value: String) throws -> Bool {
        guard let bytes = sqlite3_column_text(pointer, column) else { throw nullColumn(column) }
        let count = Int(sqlite3_column_bytes(pointer, column))
        var value = value
        return value.withUTF8 { $0.count == count && (count == 0 || memcmp($0.baseAddress!, bytes, count) == 0) }
    }

    func optionalText(_ column: Int32) throws -> String? {
        guard let bytes = sqlite3_column_text(pointer, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(pointer, column))), as: UTF8.self)
    }

    func integer(_ column: Int32) throws -> Int64 {
        guard sqlite3_column_type(pointer, column) != SQLITE_NULL else { throw nullColumn(column) }
        return sqlite3_column_int64(pointer, column)
    }

    func optionalInteger(_ column: Int32) throws -> Int64? {
        sqlite3_column_type(pointer, column) == SQLITE_NULL ? nil : sqlite3_column_int64(pointer, column)
    }

    func real(_ column: Int32) throws -> Double {
        guard sqlite3_column_type(pointer, column) != SQLITE_NULL else { throw nullColumn(column) }
        return sqlite3_column_double(pointer, column)
    }

    func bool(_ column: Int32) throws -> Bool {
        switch sqlite3_column_type(pointer, column) {
        case SQLITE_NULL: throw nullColumn(column)
        case SQLITE_FLOAT: return sqlite3_column_double(pointer, column) != 0
        default: return sqlite3_column_int64(pointer, column) != 0
        }
    }

    private func nullColumn(_ column: Int32) -> StoreError {
        .failed("unexpected NULL in column \(column) of \(sqlite3_sql(pointer).map { String(cString: $0) } ?? "?")")
    }

    /// How often SQLite ran and re-prepared this statement (after a schema change), for the tests.
    var runs: Int { Int(sqlite3_stmt_status(pointer, Int32(SQLITE_STMTSTATUS_RUN), 0)) }
    var reprepares: Int { Int(sqlite3_stmt_status(pointer, Int32(SQLITE_STMTSTATUS_REPREPARE), 0)) }
}
