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

    /// Every column in table order, as ``OperationLease/columns``.
    static let columns: [CodingKeys] = [
        .id, .userID, .pluginSlug, .name, .version, .description, .author, .scope, .bundleLocation, .enabled,
        .installationType, .manifestJSON, .operationID, .installedAt, .updatedAt,
    ]
    package static var databaseSelection: [any SQLSelectable] { columns.map { Column($0) } }
    static let insertSQL = insertion(into: databaseTableName, columns)
    /// Every column but the id, by id (`put` rewrites the whole row): binds `updateArguments`.
    static let updateSQL = "UPDATE plugin SET \(columns.dropFirst().map { $0.stringValue + " = ?" }.joined(separator: ", ")) WHERE id = ?"

    /// The row's values in `columns` order: what ``insertSQL`` binds.
    var arguments: [SQLValue] {
        [.text(id), .text(userID), .text(pluginSlug), .text(name), .text(version), SQLValue(description), SQLValue(author),
         SQLValue(scope), SQLValue(bundleLocation), .bool(enabled), .text(installationType), .text(manifestJSON),
         .text(operationID), .text(installedAt), .text(updatedAt)]
    }

    var updateArguments: [SQLValue] { Array(arguments.dropFirst()) + [.text(id)] }

    /// Decoded by hand, by position: GRDB's Codable path cost a sixth of a status request (callgrind).
    package init(row: Row) throws { try self.init(columns: row) }

    init(columns row: some ColumnSource) throws {
        id = try row.text(0)
        userID = try row.text(1)
        pluginSlug = try row.text(2)
        name = try row.text(3)
        version = try row.text(4)
        description = try row.optionalText(5)
        author = try row.optionalText(6)
        scope = try row.optionalText(7)
        bundleLocation = try row.optionalText(8)
        enabled = try row.bool(9)
        installationType = try row.text(10)
        manifestJSON = try row.text(11)
        operationID = try row.text(12)
        installedAt = try row.text(13)
        updatedAt = try row.text(14)
    }
}
