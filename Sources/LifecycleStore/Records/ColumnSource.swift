import GRDB

/// One result row read by position: a GRDB `Row`, or the hot reader's statement on its current
/// row. Records decode from it once (`init(columns:)`), in the order of their `columns` list, so
/// GRDB and the hot reader share one definition of what each position holds.
protocol ColumnSource {
    func text(_ column: Int32) throws -> String
    func optionalText(_ column: Int32) throws -> String?
    func integer(_ column: Int32) throws -> Int64
    func optionalInteger(_ column: Int32) throws -> Int64?
    func real(_ column: Int32) throws -> Double
    func bool(_ column: Int32) throws -> Bool
    /// Whether a text column holds `value`; the hot reader compares bytes without building a String.
    func text(_ column: Int32, equals value: String) throws -> Bool
}

extension Row: ColumnSource {
    func text(_ column: Int32) throws -> String { try decode(String.self, atIndex: Int(column)) }
    func optionalText(_ column: Int32) throws -> String? { try decode(String?.self, atIndex: Int(column)) }
    func integer(_ column: Int32) throws -> Int64 { try decode(Int64.self, atIndex: Int(column)) }
    func optionalInteger(_ column: Int32) throws -> Int64? { try decode(Int64?.self, atIndex: Int(column)) }
    func real(_ column: Int32) throws -> Double { try decode(Double.self, atIndex: Int(column)) }
    func bool(_ column: Int32) throws -> Bool { try decode(Bool.self, atIndex: Int(column)) }
    func text(_ column: Int32, equals value: String) throws -> Bool { try text(column) == value }
}

/// A `SELECT` list from a record's column keys, in their order; `table` qualifies each name (joins).
func selection<Key: CodingKey>(_ columns: [Key], of table: String? = nil) -> String {
    let prefix = table.map { $0 + "." } ?? ""
    return columns.map { prefix + $0.stringValue }.joined(separator: ", ")
}

/// An `INSERT` of one row into `table`, its values bound by position in the order of `columns`
/// (a record's `arguments` follow its `columns`).
func insertion<Key: CodingKey>(into table: String, _ columns: [Key]) -> String {
    "INSERT INTO \(table) (\(selection(columns))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
}
