/// The hot routes' reads on PostgreSQL, each one statement: a statement reads one snapshot by
/// itself, so a read needs no BEGIN and COMMIT, and costs one round trip where the engine's read
/// transaction costs six (BEGIN, lease, plugin, modules, files, COMMIT).
///
/// Each statement is a UNION ALL of parts, one per result set the SQLite reader reads in turn
/// (lease, plugin, modules, files). A row holds its part's number in column 0, then every part's
/// columns side by side: its own filled, the others' NULL (typed from the table's row type, as
/// a UNION needs). Two sort keys come last, so rows arrive part by part in the order the SQLite
/// statements give (``HotQueries``). Children are found through the plugin's (user, slug), not
/// its id, so no part depends on another's result.
enum PostgresHotQueries {
    /// One part of a combined read: its columns (read from `table` under that name), where they come
    /// from, and its sort keys within the part (text, compared by bytes as SQLite does).
    struct Part {
        var table: String
        var columns: [String]
        var from: String
        var sortKeys: (String?, String?) = (nil, nil)
    }

    /// The parts of one combined statement and where each part's columns start in its rows.
    struct Statement {
        let sql: String
        let offsets: [Int32]
        /// Its slot on every session (``PostgresConnection``): found without hashing `sql`.
        let slot: Int

        init(slot: Int, _ parts: [Part]) {
            self.slot = slot
            var offsets: [Int32] = []
            var next: Int32 = 1
            for part in parts {
                offsets.append(next)
                next += Int32(part.columns.count)
            }
            self.offsets = offsets
            let branches = parts.enumerated().map { index, part in
                let columns = parts.enumerated().flatMap { other, otherPart in
                    other == index ? otherPart.columns.map { "\(part.table).\($0)" }
                        : otherPart.columns.map { "(NULL::\(otherPart.table)).\($0)" }
                }
                let keys = [part.sortKeys.0, part.sortKeys.1].map { "\($0 ?? "NULL::text") COLLATE \"C\"" }
                return "SELECT \(([String(index)] + columns + keys).joined(separator: ", ")) FROM \(part.from)"
            }
            let width = Int(next) + 2
            sql = branches.joined(separator: "\nUNION ALL ") + "\nORDER BY 1, \(width - 1), \(width)"
        }
    }

    static func names<Key: CodingKey>(_ keys: [Key]) -> [String] { keys.map(\.stringValue) }

    static let pluginOfUser = "plugin WHERE plugin.user_id = ? AND plugin.plugin_slug = ?"
    static let leaseOfPlugin = Part(table: "operation_lease", columns: names(OperationLease.columns),
                                    from: "operation_lease WHERE user_id = ? AND plugin_slug = ?")

    /// Status: the (user, plugin) lease, the plugin's health columns, its modules by id, its files by path.
    static let leaseAndHealth = Statement(slot: 0, [
        leaseOfPlugin,
        Part(table: "plugin", columns: names(PluginHealthRows.pluginColumns), from: pluginOfUser),
        Part(table: "module", columns: names(PluginHealthRows.moduleColumns),
             from: "plugin JOIN module ON module.plugin_id = plugin.id WHERE plugin.user_id = ? AND plugin.plugin_slug = ?",
             sortKeys: ("module.id", nil)),
        Part(table: "installed_file", columns: names(PluginHealthRows.fileColumns),
             from: "plugin JOIN installed_file ON installed_file.plugin_id = plugin.id WHERE plugin.user_id = ? AND plugin.plugin_slug = ?",
             sortKeys: ("installed_file.path", nil)),
    ])

    /// Installed: the user's leases, and every plugin's health rows by slug (modules by id, files by path).
    static let leasesAndHealth = Statement(slot: 1, [
        Part(table: "operation_lease", columns: names(OperationLease.columns), from: "operation_lease WHERE user_id = ?",
             sortKeys: ("operation_lease.plugin_slug", nil)),
        Part(table: "plugin", columns: names(PluginHealthRows.pluginColumns), from: "plugin WHERE plugin.user_id = ?",
             sortKeys: ("plugin.plugin_slug", nil)),
        Part(table: "module", columns: names(PluginHealthRows.moduleColumns),
             from: "plugin JOIN module ON module.plugin_id = plugin.id WHERE plugin.user_id = ?",
             sortKeys: ("plugin.plugin_slug", "module.id")),
        Part(table: "installed_file", columns: names(PluginHealthRows.fileColumns),
             from: "plugin JOIN installed_file ON installed_file.plugin_id = plugin.id WHERE plugin.user_id = ?",
             sortKeys: ("plugin.plugin_slug", "installed_file.path")),
    ])

    /// The file route: the (user, plugin) lease, the plugin's state, and its row for one path.
    static let leaseAndFile = Statement(slot: 2, [
        leaseOfPlugin,
        Part(table: "plugin", columns: names(PluginFileRows.pluginColumns), from: pluginOfUser),
        Part(table: "installed_file", columns: names(InstalledFileRow.columns),
             from: "plugin JOIN installed_file ON installed_file.plugin_id = plugin.id"
                 + " WHERE plugin.user_id = ? AND plugin.plugin_slug = ? AND installed_file.path = ?"),
    ])

    /// `health`: a read that touches the schema (the migration table stands in for sqlite_master).
    static let ping = "SELECT count(*) FROM schema_migrations"
}

/// A combined row seen from one part: column `n` of the part is column `offset + n` of the row.
struct PartRow: ColumnSource {
    let row: PostgresRow
    let offset: Int32

    func text(_ column: Int32) throws -> String { try row.text(offset + column) }
    func optionalText(_ column: Int32) throws -> String? { try row.optionalText(offset + column) }
    func integer(_ column: Int32) throws -> Int64 { try row.integer(offset + column) }
    func optionalInteger(_ column: Int32) throws -> Int64? { try row.optionalInteger(offset + column) }
    func real(_ column: Int32) throws -> Double { try row.real(offset + column) }
    func bool(_ column: Int32) throws -> Bool { try row.bool(offset + column) }
    func text(_ column: Int32, equals value: String) throws -> Bool { try row.text(offset + column, equals: value) }
}
