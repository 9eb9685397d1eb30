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

    /// Decoded by hand, as ``PluginRow`` (the hot path of status).
    package init(row: Row) throws {
        pluginID = try row.decode(forColumn: "plugin_id")
        path = try row.decode(forColumn: "path")
        size = try row.decode(forColumn: "size")
        sha256 = try row.decode(forColumn: "sha256")
    }
}
