/// What a health check needs of an installed plugin, and no more: what status reads.
package struct PluginHealthRows: Sendable, Equatable {
    package var pluginID: String
    package var pluginSlug: String
    package var version: String
    package var enabled: Bool
    /// The manifest of the installed version: the modules it declares are the ones expected.
    package var manifestJSON: String
    package var installedAt: String
    /// The module rows present, by module id.
    package var modules: [(id: String, name: String)]
    package var files: [InstalledFileRow]
    /// Ids of the modules switched off (the rest are on).
    package var disabledModuleIDs: [String] = []
    /// The manifest's Module Federation container name and entry file (nil when it declares none).
    package var scope: String?
    package var bundleLocation: String?

    package var moduleNames: [String] { modules.map(\.name) }

    package init(pluginID: String, pluginSlug: String, version: String, enabled: Bool, manifestJSON: String,
                installedAt: String, modules: [(id: String, name: String)], files: [InstalledFileRow]) {
        self.pluginID = pluginID; self.pluginSlug = pluginSlug; self.version = version; self.enabled = enabled
        self.manifestJSON = manifestJSON; self.installedAt = installedAt; self.modules = modules; self.files = files
    }

    package static func == (a: Self, b: Self) -> Bool {
        a.pluginID == b.pluginID && a.pluginSlug == b.pluginSlug && a.version == b.version && a.enabled == b.enabled
            && a.manifestJSON == b.manifestJSON && a.installedAt == b.installedAt && a.files == b.files
            && a.modules.map(\.id) == b.modules.map(\.id) && a.modules.map(\.name) == b.modules.map(\.name)
            && a.disabledModuleIDs == b.disabledModuleIDs && a.scope == b.scope && a.bundleLocation == b.bundleLocation
    }

    // The narrow reads of status and installed, by position in these orders (whole rows decoded
    // by name cost GRDB a third more, callgrind). Children come with their plugin's id first.
    static let pluginColumns: [PluginRow.CodingKeys] = [.id, .pluginSlug, .version, .enabled, .manifestJSON, .installedAt,
                                                        .scope, .bundleLocation]
    static let moduleColumns: [ModuleRow.CodingKeys] = [.pluginID, .id, .name, .enabled]
    static let fileColumns = InstalledFileRow.columns
}

/// Joins the three result sets of a health read (plugins; their modules; their files, each
/// grouped by plugin id) in memory. GRDB's statements and the hot reader's feed it alike.
struct HealthRowsBuilder {
    private(set) var plugins: [PluginHealthRows] = []
    /// Children arrive grouped by plugin id: the position is looked up once per group.
    private var current: (id: String, index: Int?) = ("", nil)
    private var positions: [String: Int]?

    mutating func addPlugin(_ row: some ColumnSource) throws {
        var plugin = PluginHealthRows(
            pluginID: try row.text(0), pluginSlug: try row.text(1), version: try row.text(2), enabled: try row.bool(3),
            manifestJSON: try row.text(4), installedAt: try row.text(5), modules: [], files: [])
        plugin.scope = try row.optionalText(6)
        plugin.bundleLocation = try row.optionalText(7)
        plugins.append(plugin)
    }

    mutating func addModule(_ row: some ColumnSource) throws {
        guard let index = try position(row) else { return }
        let id = try row.text(1)
        plugins[index].modules.append((id, try row.text(2)))
        if !(try row.bool(3)) { plugins[index].disabledModuleIDs.append(id) }
    }

    mutating func addFile(_ row: some ColumnSource) throws {
        guard let index = try position(row) else { return }
        plugins[index].files.append(try InstalledFileRow(columns: row, pluginID: plugins[index].pluginID))
    }

    /// The position of the plugin whose id is in column 0 of a child row.
    private mutating func position(_ row: some ColumnSource) throws -> Int? {
        if try row.text(0, equals: current.id) { return current.index }
        let pluginID = try row.text(0)
        let index: Int?
        if plugins.count == 1 {
            index = plugins[0].pluginID == pluginID ? 0 : nil
        } else {
            if positions == nil { positions = Dictionary(uniqueKeysWithValues: plugins.enumerated().map { ($1.pluginID, $0) }) }
            index = positions?[pluginID]
        }
        current = (pluginID, index)
        return index
    }
}
