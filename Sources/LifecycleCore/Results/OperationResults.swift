import LifecycleStore

/// Results of lifecycle operations. Their encoded form is the contract's `data` shapes
/// (snake_case keys), so the HTTP layer and the CLI's `--json` print the same thing.

public struct InstallResult: Codable, Sendable, Equatable {
    public var pluginID: String
    public var pluginSlug: String
    public var version: String
    public var modulesCreated: [String]
    public var pluginDirectory: String
    public var dependenciesInstalled: [String]

    enum CodingKeys: String, CodingKey {
        case version
        case pluginID = "plugin_id", pluginSlug = "plugin_slug", modulesCreated = "modules_created"
        case pluginDirectory = "plugin_directory", dependenciesInstalled = "dependencies_installed"
    }
}

public struct UninstallResult: Codable, Sendable, Equatable {
    public var pluginID: String
    public var pluginSlug: String
    public var deletedModules: [String]
    public var uninstalled: [String]

    enum CodingKeys: String, CodingKey {
        case uninstalled
        case pluginID = "plugin_id", pluginSlug = "plugin_slug", deletedModules = "deleted_modules"
    }
}

/// Health of one user's copy of a plugin.
/// An installed copy's Module Federation entry: its container's global name, the entry file and
/// that file's recorded SHA-256 (when the copy records it). The HTTP layer signs a URL for it.
public struct BundleEntry: Sendable, Equatable {
    public let scope: String
    public let location: String
    public let sha256: String?
}

extension BundleEntry {
    /// The entry of a copy whose manifest names both a scope and a location.
    init?(_ rows: PluginHealthRows) {
        guard let scope = rows.scope, let location = rows.bundleLocation, !scope.isEmpty, !location.isEmpty else { return nil }
        self.init(scope: scope, location: location, sha256: rows.files.first { $0.path == location }?.sha256)
    }
}

public struct StatusReport: Codable, Sendable, Equatable {
    public enum Health: String, Codable, Sendable {
        case notInstalled = "not_installed", healthy, filesMissing = "files_missing"
        case filesModified = "files_modified", modulesCorrupted = "modules_corrupted"
    }
    public struct Files: Codable, Sendable, Equatable {
        public var expected: Int
        public var missing: [String]
        public var modified: [String]
    }
    public struct Modules: Codable, Sendable, Equatable {
        public var allLoaded: Bool
        public var loadedCount: Int
        public var expectedCount: Int
        enum CodingKeys: String, CodingKey {
            case allLoaded = "all_loaded", loadedCount = "loaded_count", expectedCount = "expected_count"
        }
    }

    public var pluginSlug: String
    public var exists: Bool
    public var status: Health
    public var pluginID: String?
    public var version: String?
    public var enabled: Bool?
    public var filesExist: Bool
    public var files: Files
    public var modulesStatus: Modules
    /// Not part of the JSON: the HTTP layer writes the signed `bundle_url` and `scope` from it.
    public var bundle: BundleEntry? = nil

    enum CodingKeys: String, CodingKey {
        case exists, status, version, enabled, files
        case pluginSlug = "plugin_slug", pluginID = "plugin_id", filesExist = "files_exist"
        case modulesStatus = "modules_status"
    }
}

public struct RepairResult: Codable, Sendable, Equatable {
    public var pluginSlug: String
    public var oldStatus: StatusReport.Health
    public var newStatus: StatusReport.Health
    public var repairActions: [String]

    enum CodingKeys: String, CodingKey {
        case pluginSlug = "plugin_slug", oldStatus = "old_status", newStatus = "new_status"
        case repairActions = "repair_actions"
    }
}

public enum VerifyMode: Sendable {
    /// Presence and size of every file.
    case sizes
    /// Also the SHA-256 of every file.
    case full
}
