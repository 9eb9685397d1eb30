import GRDB

/// One module of a user's plugin. `id` is `{plugin_id}_{name}`; JSON-valued columns hold JSON text.
public struct ModuleRow: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "module"
    public var id: String
    public var pluginID: String
    public var userID: String
    public var name: String
    public var displayName: String?
    public var description: String?
    public var icon: String?
    public var category: String?
    public var priority: Int?
    public var props: String?
    public var configFields: String?
    public var requiredServices: String?
    public var layout: String?
    public var tags: String?
    public var enabled: Bool
    public var createdAt: String
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, description, icon, category, priority, props, layout, tags, enabled
        case pluginID = "plugin_id", userID = "user_id", displayName = "display_name"
        case configFields = "config_fields", requiredServices = "required_services"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(id: String, pluginID: String, userID: String, name: String, displayName: String?,
                description: String?, icon: String?, category: String?, priority: Int?,
                props: String?, configFields: String?, requiredServices: String?, layout: String?,
                tags: String?, enabled: Bool = true, createdAt: String, updatedAt: String) {
        self.id = id; self.pluginID = pluginID; self.userID = userID; self.name = name
        self.displayName = displayName; self.description = description; self.icon = icon
        self.category = category; self.priority = priority; self.props = props
        self.configFields = configFields; self.requiredServices = requiredServices
        self.layout = layout; self.tags = tags; self.enabled = enabled
        self.createdAt = createdAt; self.updatedAt = updatedAt
    }
}
