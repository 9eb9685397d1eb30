/// What serving one file of an installed plugin needs: the plugin's state and the file's row as
/// recorded at install (nil when the plugin has no such file). Read by the file route.
package struct PluginFileRows: Sendable, Equatable {
    package var pluginID: String
    package var version: String
    package var enabled: Bool
    /// The manifest's Module Federation container name and entry file, when it declares them.
    package var scope: String?
    package var bundleLocation: String?
    package var file: InstalledFileRow?

    /// The plugin's columns, by position in this order.
    static let pluginColumns: [PluginRow.CodingKeys] = [.id, .version, .enabled, .scope, .bundleLocation]

    init(plugin row: some ColumnSource) throws {
        pluginID = try row.text(0); version = try row.text(1); enabled = try row.bool(2)
        scope = try row.optionalText(3); bundleLocation = try row.optionalText(4)
    }
}
