import GRDB

/// A user's installed plugin. `id` is `{user_id}_{plugin_slug}`.
package struct PluginRow: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "plugin"
    package var id: String
    package var userID: String
    package var pluginSlug: String
    package var name: String
    package var version: String
    package var description: String?
    package var author: String?
    package var scope: String?
    package var bundleLocation: String?
    package var enabled: Bool
    package var installationType: String
    /// The manifest of the installed version, kept so status works after the package left the catalog.
    package var manifestJSON: String
    /// The operation that wrote the folder now on disk.
    package var operationID: String
    package var installedAt: String
    package var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, version, description, author, scope, enabled
        case userID = "user_id", pluginSlug = "plugin_slug", bundleLocation = "bundle_location"
        case installationType = "installation_type", manifestJSON = "manifest_json", operationID = "operation_id"
        case installedAt = "installed_at", updatedAt = "updated_at"
    }

    package init(id: String, userID: String, pluginSlug: String, name: String, version: String,
                description: String?, author: String?, scope: String?, bundleLocation: String?,
                enabled: Bool = true, installationType: String = "user-scoped",
                manifestJSON: String, operationID: String, installedAt: String, updatedAt: String) {
        self.id = id; self.userID = userID; self.pluginSlug = pluginSlug; self.name = name
        self.version = version; self.description = description; self.author = author
        self.scope = scope; self.bundleLocation = bundleLocation; self.enabled = enabled
        self.installationType = installationType; self.manifestJSON = manifestJSON; self.operationID = operationID
        self.installedAt = installedAt; self.updatedAt = updatedAt
    }

    /// Decoded by hand: GRDB's Codable path costs a sixth of a status request (callgrind).
    package init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        userID = try row.decode(forColumn: "user_id")
        pluginSlug = try row.decode(forColumn: "plugin_slug")
        name = try row.decode(forColumn: "name")
        version = try row.decode(forColumn: "version")
        description = try row.decode(forColumn: "description")
        author = try row.decode(forColumn: "author")
        scope = try row.decode(forColumn: "scope")
        bundleLocation = try row.decode(forColumn: "bundle_location")
        enabled = try row.decode(forColumn: "enabled")
        installationType = try row.decode(forColumn: "installation_type")
        manifestJSON = try row.decode(forColumn: "manifest_json")
        operationID = try row.decode(forColumn: "operation_id")
        installedAt = try row.decode(forColumn: "installed_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }
}
