/// `versions`, `update`, `installed` and `updates` shapes of the contract.

public struct VersionsList: Codable, Sendable, Equatable {
    public struct Version: Codable, Sendable, Equatable {
        public var version: String
        public var dependencies: [String: String]
    }
    public var pluginSlug: String
    public var latest: String
    public var versions: [Version]
    enum CodingKeys: String, CodingKey { case latest, versions, pluginSlug = "plugin_slug" }
}

public struct UpdateResult: Codable, Sendable, Equatable {
    public var pluginID: String
    public var pluginSlug: String
    public var previousVersion: String
    public var newVersion: String
    public var modulesAdded: [String]
    public var modulesRemoved: [String]
    enum CodingKeys: String, CodingKey {
        case pluginID = "plugin_id", pluginSlug = "plugin_slug", previousVersion = "previous_version"
        case newVersion = "new_version", modulesAdded = "modules_added", modulesRemoved = "modules_removed"
    }
}

public struct InstalledList: Codable, Sendable, Equatable {
    public struct Plugin: Codable, Sendable, Equatable {
        public var pluginSlug: String
        public var pluginID: String
        public var version: String
        public var latestVersion: String?
        public var updateAvailable: Bool
        public var enabled: Bool
        public var status: StatusReport.Health
        public var installedAt: String
        public var modules: [String]
        /// The module ids switched off (an addition to the contract's shape: `modules` lists them all).
        public var disabledModules: [String] = []
        /// Not part of the JSON: the HTTP layer writes the signed `bundle_url` and `scope` from it.
        public var bundle: BundleEntry? = nil
        enum CodingKeys: String, CodingKey {
            case version, enabled, status, modules
            case pluginSlug = "plugin_slug", pluginID = "plugin_id", latestVersion = "latest_version"
            case updateAvailable = "update_available", installedAt = "installed_at", disabledModules = "disabled_modules"
        }
    }
    public var installedPlugins: [Plugin]
    public var totalCount: Int
    enum CodingKeys: String, CodingKey { case installedPlugins = "installed_plugins", totalCount = "total_count" }
}

public struct UpdatesList: Codable, Sendable, Equatable {
    public struct Update: Codable, Sendable, Equatable {
        public var pluginSlug: String
        public var pluginID: String
        public var currentVersion: String
        public var latestVersion: String
        enum CodingKeys: String, CodingKey {
            case pluginSlug = "plugin_slug", pluginID = "plugin_id"
            case currentVersion = "current_version", latestVersion = "latest_version"
        }
    }
    public var availableUpdates: [Update]
    public var totalCount: Int
    enum CodingKeys: String, CodingKey { case availableUpdates = "available_updates", totalCount = "total_count" }
}

public struct EnabledState: Codable, Sendable, Equatable {
    public struct Module: Codable, Sendable, Equatable {
        public var moduleID: String
        public var name: String
        public var enabled: Bool
        enum CodingKeys: String, CodingKey { case name, enabled, moduleID = "module_id" }
    }
    public var pluginID: String
    public var pluginSlug: String
    public var enabled: Bool
    public var modules: [Module]
    enum CodingKeys: String, CodingKey { case enabled, modules, pluginID = "plugin_id", pluginSlug = "plugin_slug" }
}

public struct AuditPage: Codable, Sendable, Equatable {
    public struct Event: Codable, Sendable, Equatable {
        public var id: Int64
        public var at: String
        public var actor: String
        public var userID: String
        public var pluginSlug: String?
        public var action: String
        public var fromVersion: String?
        public var toVersion: String?
        public var outcome: String
        public var requestID: String?
        enum CodingKeys: String, CodingKey {
            case id, at, actor, action, outcome
            case userID = "user_id", pluginSlug = "plugin_slug", fromVersion = "from_version"
            case toVersion = "to_version", requestID = "request_id"
        }
    }
    public var events: [Event]
    /// `null` at the end: encoded explicitly, as the contract shows it.
    public var nextCursor: String?
    enum CodingKeys: String, CodingKey { case events, nextCursor = "next_cursor" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(events, forKey: .events)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
