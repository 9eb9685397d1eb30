import PluginCatalog

/// One entry of `available`, keyed by canonical slug in the response.
public struct AvailablePlugin: Codable, Sendable, Equatable {
    public var slug: String
    public var name: String
    public var version: String
    public var versions: [String]
    public var description: String?
    public var author: String?
    public var modulesCount: Int
    public var dependencies: [String: String]
    public var installed: Bool?
    public var installedVersion: String?

    enum CodingKeys: String, CodingKey {
        case slug, name, version, versions, description, author, dependencies, installed
        case modulesCount = "modules_count", installedVersion = "installed_version"
    }
}

public struct AvailableList: Codable, Sendable, Equatable {
    public var availablePlugins: [String: AvailablePlugin]
    public var totalCount: Int
    enum CodingKeys: String, CodingKey { case availablePlugins = "available_plugins", totalCount = "total_count" }
}

public struct PluginInfo: Codable, Sendable, Equatable {
    public var pluginSlug: String
    /// The latest version's manifest as published, plus `versions`.
    package var pluginInfo: JSONValue
    public var installationType: String = "user-scoped"
    public var supportsLifecycle: Bool = true

    enum CodingKeys: String, CodingKey {
        case pluginSlug = "plugin_slug", pluginInfo = "plugin_info"
        case installationType = "installation_type", supportsLifecycle = "supports_lifecycle"
    }
}
