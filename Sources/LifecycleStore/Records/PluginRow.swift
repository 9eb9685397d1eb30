import GRDB

/// A user's installed plugin. `id` is `{user_id}_{plugin_slug}`.
public struct PluginRow: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "plugin"
    public var id: String
    public var userID: String
    public var pluginSlug: String
    public var name: String
    public var version: String
    public var description: String?
    public var author: String?
    public var scope: String?
    public var bundleLocation: String?
    public var enabled: Bool
    public var installationType: String
    /// The manifest of the installed version, kept so status works after the package left the catalog.
    public var manifestJSON: String
    /// The operation that wrote the folder now on disk.
    public var operationID: String
    public var installedAt: String
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, version, description, author, scope, enabled
        case userID = "user_id", pluginSlug = "plugin_slug", bundleLocation = "bundle_location"
        case installationType = "installation_type", manifestJSON = "manifest_json", operationID = "operation_id"
        case installedAt = "installed_at", updatedAt = "updated_at"
    }

    public init(id: String, userID: String, pluginSlug: String, name: String, version: String,
                description: String?, author: String?, scope: String?, bundleLocation: String?,
                enabled: Bool = true, installationType: String = "user-scoped",
                manifestJSON: String, operationID: String, installedAt: String, updatedAt: String) {
        self.id = id; self.userID = userID; self.pluginSlug = pluginSlug; self.name = name
        self.version = version; self.description = description; self.author = author
        self.scope = scope; self.bundleLocation = bundleLocation; self.enabled = enabled
        self.installationType = installationType; self.manifestJSON = manifestJSON; self.operationID = operationID
        self.installedAt = installedAt; self.updatedAt = updatedAt
    }
}
