import Crypto
import Foundation

/// A table `migrate-store` copies, with what it needs to copy it and to prove the copy: every
/// column in its record's order, ordered by its key (byte order on both stores: SQLite's BINARY
/// collation and PostgreSQL's `COLLATE "C"`), and the insert that keeps every value (ids too).
struct CopiedTable: Sendable {
    let name: String
    /// Every column, in the order ``insert`` binds, sorted by the key.
    let select: String
    let insert: String
    /// Columns that hold text: PostgreSQL's text cannot hold NUL, so the copy refuses those first.
    let textColumns: [String]
    /// How a row is named in a refusal (SQL over the row's key columns).
    let keyExpression: String
    /// The row's values in ``insert``'s order, decoded through its record (the same on both stores).
    let values: @Sendable (any ColumnSource) throws -> [SQLValue]

    /// Parents before children: plugins, their modules and files, the audit trail, the shares.
    /// Leases are not copied (the copy refuses while one exists), nor the migration table.
    static let all: [CopiedTable] = [
        CopiedTable(table: PluginRow.databaseTableName, PluginRow.columns, orderBy: "id", key: "id",
                    nonText: ["enabled"]) { try PluginRow(columns: $0).arguments },
        CopiedTable(table: ModuleRow.databaseTableName, ModuleRow.columns, orderBy: "plugin_id, name",
                    key: "plugin_id || ' module ' || name", nonText: ["priority", "enabled"]) { try ModuleRow(columns: $0).arguments },
        CopiedTable(table: InstalledFileRow.databaseTableName, InstalledFileRow.columns, orderBy: "plugin_id, path",
                    key: "plugin_id || ' file ' || path", nonText: ["size"]) { try InstalledFileRow(columns: $0).arguments },
        CopiedTable(table: AuditEventRow.databaseTableName, AuditEventRow.columns, orderBy: "id",
                    key: "'audit event ' || id", nonText: ["id"]) { try AuditEventRow(columns: $0).arguments },
        CopiedTable(table: ShareRow.databaseTableName, ShareRow.columns, orderBy: "id", key: "'share ' || id",
                    nonText: []) { try ShareRow(columns: $0).arguments },
    ]

    init<Key: CodingKey>(table: String, _ columns: [Key], orderBy: String, key: String, nonText: Set<String>,
                         values: @escaping @Sendable (any ColumnSource) throws -> [SQLValue]) {
        name = table
        select = "SELECT \(selection(columns)) FROM \(table) ORDER BY \(orderBy)"
        insert = insertion(into: table, columns)
        textColumns = columns.map(\.stringValue).filter { !nonText.contains($0) }
        keyExpression = key
        self.values = values
    }

    /// The first row (by key) with a NUL byte in a text column, on SQLite: compared as bytes, since
    /// SQLite's text functions stop at a NUL.
    var firstRowWithNUL: String {
        let tests = textColumns.map { "instr(CAST(\($0) AS BLOB), x'00') > 0" }.joined(separator: " OR ")
        return "SELECT \(keyExpression) FROM \(name) WHERE \(tests) LIMIT 1"
    }

    /// Counts the table's rows and hashes their values in key order: equal tallies on both stores
    /// mean the same rows, value for value.
    func tally(_ db: any SQLTransaction) throws -> TableTally {
        var hash = SHA256()
        var rows = 0
        try db.forEachRow(select, []) { row in
            rows += 1
            for value in try values(row) { value.feed(into: &hash) }
        }
        let digest = hash.finalize().map { String(format: "%02x", $0) }.joined()
        return TableTally(table: name, rows: rows, checksum: digest)
    }
}

/// One table's rows on one store: how many, and a SHA-256 over their values in key order.
package struct TableTally: Sendable, Equatable, Codable {
    package let table: String
    package let rows: Int
    package let checksum: String
}

extension SQLValue {
    /// A self-delimiting encoding (a tag, then a length for text), so that no two different rows
    /// hash alike by shifting bytes from one value into the next.
    fileprivate func feed(into hash: inout SHA256) {
        switch self {
        case .null: hash.update(data: [0])
        case .integer(let value): hash.update(data: [1] + withUnsafeBytes(of: value.bigEndian, Array.init))
        case .real(let value): hash.update(data: [2] + withUnsafeBytes(of: value.bitPattern.bigEndian, Array.init))
        case .bool(let value): hash.update(data: [3, value ? 1 : 0])
        case .text(let text):
            let bytes = Array(text.utf8)
            hash.update(data: [4] + withUnsafeBytes(of: UInt64(bytes.count).bigEndian, Array.init) + bytes)
        }
    }
}
