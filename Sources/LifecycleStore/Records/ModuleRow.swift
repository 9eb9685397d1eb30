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

    /// Every column in table order, as ``OperationLease/columns``.
    static let columns: [CodingKeys] = [
        .id, .pluginID, .userID, .name, .displayName, .description, .icon, .category, .priority, .props,
        .configFields, .requiredServices, .layout, .tags, .enabled, .createdAt, .updatedAt,
    ]
    package static var databaseSelection: [any SQLSelectable] { columns.map { Column($0) } }
    static let insertSQL = insertion(into: databaseTableName, columns)

    /// The row's values in `columns` order: what ``insertSQL`` binds.
    var arguments: [SQLValue] {
        [.text(id), .text(pluginID), .text(userID), .text(name), SQLValue(displayName), SQLValue(description), SQLValue(icon),
         SQLValue(category), SQLValue(priority.map { Int64($0) }), SQLValue(props), SQLValue(configFields),
         SQLValue(requiredServices), SQLValue(layout), SQLValue(tags), .bool(enabled), .text(createdAt), .text(updatedAt)]
    }

    /// Decoded by hand, by position, as ``PluginRow``.
    package init(row: Row) throws { try self.init(columns: row) }

    init(columns row: some ColumnSource) throws {
        id = try row.text(0)
        pluginID = try row.text(1)
        userID = try row.text(2)
        name = try row.text(3)
        displayName = try row.optionalText(4)
        description = try row.optionalText(5)
        icon = try row.optionalText(6)
        category = try row.optionalText(7)
        priority = try row.optionalInteger(8).map { Int($0) }
        props = try row.optionalText(9)
        configFields = try row.optionalText(10)
        requiredServices = try row.optionalText(11)
        layout = try row.optionalText(12)
        tags = try row.optionalText(13)
        enabled = try row.bool(14)
        createdAt = try row.text(15)
        updatedAt = try row.text(16)
    }
}
