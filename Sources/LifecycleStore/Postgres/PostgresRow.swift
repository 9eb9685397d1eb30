import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One row of a libpq result in text format, read by position as the records decode
/// (``ColumnSource``). NULL where a value is required is an error, as in ``HotStatement``.
struct PostgresRow: ColumnSource {
    let result: OpaquePointer
    let row: Int32
    /// The statement, for the error message only.
    let sql: String

    func text(_ column: Int32) throws -> String {
        guard let text = try optionalText(column) else { throw nullColumn(column) }
        return text
    }

    func optionalText(_ column: Int32) throws -> String? {
        try bytes(column).map { String(decoding: $0, as: UTF8.self) }
    }

    func text(_ column: Int32, equals value: String) throws -> Bool {
        guard let bytes = try bytes(column) else { throw nullColumn(column) }
        var value = value
        return value.withUTF8 { $0.count == bytes.count && (bytes.isEmpty || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0) }
    }

    func integer(_ column: Int32) throws -> Int64 {
        guard let integer = try optionalInteger(column) else { throw nullColumn(column) }
        return integer
    }

    func optionalInteger(_ column: Int32) throws -> Int64? {
        guard let text = try optionalText(column) else { return nil }
        guard let integer = Int64(text) else { throw StoreError.failed("column \(column) of \(sql) is not an integer: \(text.prefix(40))") }
        return integer
    }

    func real(_ column: Int32) throws -> Double {
        let text = try text(column)
        // PostgreSQL prints the shortest text that reads back exactly, and Infinity / NaN by name.
        guard let real = Double(text) else { throw StoreError.failed("column \(column) of \(sql) is not a number: \(text.prefix(40))") }
        return real
    }

    /// A boolean column prints `t` or `f`; an integer column read as a flag is non-zero or not.
    func bool(_ column: Int32) throws -> Bool {
        let text = try text(column)
        switch text {
        case "t": return true
        case "f": return false
        default: return try integer(column) != 0
        }
    }

    /// The value's bytes (valid while the result lives), or nil for NULL.
    private func bytes(_ column: Int32) throws -> UnsafeRawBufferPointer? {
        guard column >= 0, column < PQnfields(result) else { throw StoreError.failed("no column \(column) in \(sql)") }
        guard PQgetisnull(result, row, column) == 0 else { return nil }
        return UnsafeRawBufferPointer(start: PQgetvalue(result, row, column), count: Int(PQgetlength(result, row, column)))
    }

    private func nullColumn(_ column: Int32) -> StoreError {
        .failed("unexpected NULL in column \(column) of \(sql)")
    }
}
