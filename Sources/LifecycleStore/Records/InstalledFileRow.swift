import GRDB

/// A file copied into a user's plugin folder, with what it was at install time.
package struct InstalledFileRow: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "installed_file"
    package var pluginID: String
    /// Relative to the plugin folder, `/`-separated.
    package var path: String
    package var size: Int64
    package var sha256: String

    enum CodingKeys: String, CodingKey {
        case path, size, sha256
        case pluginID = "plugin_id"
    }

    package init(pluginID: String, path: String, size: Int64, sha256: String) {
        self.pluginID = pluginID; self.path = path; self.size = size; self.sha256 = sha256
    }

    /// Every column in table order, as ``OperationLease/columns``.
    static let columns: [CodingKeys] = [.pluginID, .path, .size, .sha256]
    package static var databaseSelection: [any SQLSelectable] { columns.map { Column($0) } }
    static let insertSQL = insertion(into: databaseTableName, columns)

    /// The row's values in `columns` order: what ``insertSQL`` binds.
    var arguments: [SQLValue] { [.text(pluginID), .text(path), .integer(size), .text(sha256)] }

    /// Decoded by hand, by position, as ``PluginRow`` (status and installed read every column).
    package init(row: Row) throws { try self.init(columns: row) }

    /// `pluginID`, when the caller knows it already, spares building it again for every file.
    init(columns row: some ColumnSource, pluginID known: String? = nil) throws {
        pluginID = try known ?? row.text(0)
        path = try row.text(1)
        size = try row.integer(2)
        sha256 = try row.text(3)
    }
}
