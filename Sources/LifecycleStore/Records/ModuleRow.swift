import GRDB

/// One module of a user's plugin. `id` is `{plugin_id}_{name}`; JSON-valued columns hold JSON text.
package struct ModuleRow: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "module"
    package var id: String
    package var pluginID: String
    package var userID: String
    package var name: String
    package var displayName: String?
    package var description: String?
    package var icon: String?
    package var category: String?
    package var priority: Int?
    package var props: String?
    package var configFields: String?
    package var requiredServices: String?
    package var layout: String?
    package var tags: String?
    package var enabled: Bool
    package var createdAt: String
    package var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, description, icon, category, priority, props, layout, tags, enabled
        case pluginID = "plugin_id", userID = "user_id", displayName = "display_name"
        case configFields = "config_fields", requiredServices = "required_services"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    package init(id: String, pluginID: String, userID: String, name: String, displayName: String?,
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

    /// Decoded by hand, as ``PluginRow`` (the hot path of status and installed).
    package init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        pluginID = try row.decode(forColumn: "plugin_id")
        userID = try row.decode(forColumn: "user_id")
        name = try row.decode(forColumn: "name")
        displayName = try row.decode(forColumn: "display_name")
        description = try row.decode(forColumn: "description")
        icon = try row.decode(forColumn: "icon")
        category = try row.decode(forColumn: "category")
        priority = try row.decode(forColumn: "priority")
        props = try row.decode(forColumn: "props")
        configFields = try row.decode(forColumn: "config_fields")
        requiredServices = try row.decode(forColumn: "required_services")
        layout = try row.decode(forColumn: "layout")
        tags = try row.decode(forColumn: "tags")
        enabled = try row.decode(forColumn: "enabled")
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }
}
