import Foundation
import GRDB
import LegacyMigration
import LifecycleCore
import Logging

/// A BrainDrive installation in a temp folder (database + plugins folder, with every known
/// defect) and a fresh data directory for our service.
struct LegacyFixture {
    static let alice = "0123456789abcdef0123456789abcdef"
    static let bob = "fedcba9876543210fedcba9876543210"
    static let gone = "deadbeefdeadbeefdeadbeefdeadbeef"

    let root: String
    var legacyDB: String { root + "/braindrive/braindrive.db" }
    var pluginsDir: String { root + "/braindrive/plugins" }
    var dataDir: String { root + "/data" }
    var catalogDir: String { root + "/catalog" }

    init() throws {
        root = NSTemporaryDirectory() + "legacy-migration-" + UUID().uuidString
        let fm = FileManager.default
        try fm.createDirectory(atPath: pluginsDir, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: catalogDir, withIntermediateDirectories: true)
        try makeDatabase()
        try makeFolders()
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    func service() throws -> LifecycleService {
        var logger = Logger(label: "legacy-test")
        logger.logLevel = .critical
        return try LifecycleService(dataDirectory: dataDir, catalogRoot: catalogDir, logger: logger)
    }

    func migrator() -> LegacyMigrator { LegacyMigrator(legacyDatabase: legacyDB, pluginsDirectory: pluginsDir) }

    func write(_ relative: String, _ text: String) throws {
        let path = pluginsDir + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func makeFolders() throws {
        // Settings: shared, with a stray metadata file, a .metadata folder and a symlink to skip.
        try write("shared/braindrive_settings/v1.0.0/dist/remoteEntry.js", "settings remote entry")
        try write("shared/braindrive_settings/v1.0.0/package.json", #"{"name":"settings"}"#)
        try write("shared/braindrive_settings/v1.0.0/plugin_metadata.json", #"{"stale":true}"#)
        try write("shared/braindrive_settings/v1.0.0/.metadata/notes.json", "{}")
        try FileManager.default.createSymbolicLink(atPath: pluginsDir + "/shared/braindrive_settings/v1.0.0/dist/link.js",
                                                   withDestinationPath: "remoteEntry.js")
        // Chat: spelled differently on disk; v1.0.9 and v1.0.29 side by side (v1.0.29 sorts first as a string).
        try write("shared/BrainDrive-Chat/v1.0.9/dist/remoteEntry.js", "chat 1.0.9")
        try write("shared/BrainDrive-Chat/v1.0.29/dist/remoteEntry.js", "chat 1.0.29")
        try write("shared/BrainDrive-Chat/v1.0.29/dist/chunks/a.js", "chunk a")
        // Network: older layout, directly under the plugins folder.
        try write("braindrive_network/dist/remoteEntry.js", "network")
        // Ghost: the row names 2.0.0, only 1.0.0 exists.
        try write("shared/braindrive_ghost/v1.0.0/dist/remoteEntry.js", "ghost")
        // Per-user metadata: bob installed chat himself; alice's network is a user install too.
        try write("\(Self.bob)/.metadata/\(Self.bob)_braindrive_chat_remote.json",
                  #"{"plugin_id":"x","installation_type":"remote","source":"github"}"#)
        try write("\(Self.alice)/.metadata/\(Self.alice)_braindrive_network_remote.json",
                  #"{"installation_type":"remote","source":"github"}"#)
    }

    private func makeDatabase() throws {
        // Like BrainDrive: the foreign-key pragma is not applied, so orphan module rows can exist.
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: legacyDB, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT);
                CREATE TABLE plugin (
                    id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), plugin_slug TEXT NOT NULL,
                    name TEXT NOT NULL, description TEXT NOT NULL, version TEXT NOT NULL, type TEXT, plugin_type TEXT,
                    enabled BOOLEAN, icon TEXT, category TEXT, status TEXT, official BOOLEAN, author TEXT,
                    scope TEXT, bundle_method TEXT, bundle_location TEXT, is_local BOOLEAN, installation_type TEXT,
                    dependencies TEXT, created_at TEXT, updated_at TEXT, UNIQUE(user_id, plugin_slug));
                CREATE TABLE module (
                    id TEXT NOT NULL, plugin_id TEXT NOT NULL REFERENCES plugin(id) ON DELETE CASCADE, name TEXT NOT NULL,
                    display_name TEXT, description TEXT, icon TEXT, category TEXT, enabled BOOLEAN, priority INTEGER,
                    props TEXT, config_fields TEXT, messages TEXT, required_services TEXT, dependencies TEXT,
                    layout TEXT, tags TEXT, created_at TEXT, updated_at TEXT, user_id TEXT NOT NULL,
                    PRIMARY KEY (id, plugin_id));
                CREATE TABLE plugin_states (id TEXT PRIMARY KEY, plugin_id TEXT);
                """)
            for user in [Self.alice, Self.bob, "not-a-user!"] {
                try db.execute(sql: "INSERT INTO users (id, email) VALUES (?, ?)", arguments: [user, "\(user)@example.com"])
            }
            func plugin(_ user: String, _ slug: String, _ version: String, deps: String? = nil) throws {
                try Self.plugin(db, user, slug, version, deps: deps)
            }
            func module(_ user: String, _ slug: String, _ name: String, priority: Int = 1, props: String? = nil, tags: String? = nil) throws {
                try Self.module(db, user, slug, name, priority: priority, props: props, tags: tags)
            }
            try plugin(Self.alice, "braindrive_settings", "1.0.0")
            try module(Self.alice, "braindrive_settings", "ComponentSettings", props: #"{"theme":"dark"}"#, tags: #"["settings"]"#)
            try module(Self.alice, "braindrive_settings", "Bad-Name")
            try plugin(Self.alice, "braindrive_chat", "1.0.29")
            try module(Self.alice, "braindrive_chat", "ComponentChat")
            try module(Self.alice, "braindrive_chat", "ComponentHistory", priority: 2)
            try plugin(Self.alice, "braindrive_network", "1.0.0", deps: #"{"braindrive-chat": "^1.0.0"}"#)
            try module(Self.alice, "braindrive_network", "ComponentNetworkStatus")
            try plugin(Self.alice, "braindrive_ghost", "2.0.0")
            try plugin(Self.alice, "braindrive_broken", "latest")
            try plugin(Self.bob, "braindrive_chat", "1.0.9")
            try module(Self.bob, "braindrive_chat", "ComponentChat")
            try plugin(Self.bob, "BrainDrive-Settings", "1.0.0")
            try module(Self.bob, "BrainDrive-Settings", "ComponentSettings")
            try plugin("not-a-user!", "braindrive_settings", "1.0.0")
            // A module whose plugin row is gone (the cascade was not enforced).
            try module(Self.gone, "braindrive_chat", "ComponentChat")
            try db.execute(sql: "INSERT INTO plugin_states (id, plugin_id) VALUES ('s1', ?)", arguments: ["\(Self.alice)_braindrive_chat"])
        }
        try queue.close()
    }

    /// A `plugin` row as BrainDrive writes it (id `{user_id}_{slug}` unless `id` says otherwise).
    static func plugin(_ db: Database, _ user: String, _ slug: String, _ version: String, deps: String? = nil,
                       enabled: Int = 1, id: String? = nil) throws {
        try db.execute(sql: """
            INSERT INTO plugin (id, user_id, plugin_slug, name, description, version, enabled, author, scope,
                                bundle_method, bundle_location, dependencies, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'BrainDrive', ?, 'webpack', 'dist/remoteEntry.js', ?, 'activated')
            """, arguments: [id ?? "\(user)_\(slug)", user, slug, slug.capitalized, "The \(slug) plugin", version, enabled,
                             slug.replacingOccurrences(of: "_", with: ""), deps])
    }

    /// A `module` row of the plugin row `pluginID` (default `{user}_{slug}`); `enabled` NULL unless given.
    static func module(_ db: Database, _ user: String, _ slug: String, _ name: String, priority: Int = 1, props: String? = nil,
                       tags: String? = nil, enabled: Int? = nil, pluginID: String? = nil) throws {
        let plugin = pluginID ?? "\(user)_\(slug)"
        try db.execute(sql: """
            INSERT INTO module (id, plugin_id, name, display_name, priority, props, tags, user_id, layout, enabled)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{"minWidth":4}', ?)
            """, arguments: ["\(plugin)_\(name)", plugin, name, "\(name) module", priority, props, tags, user, enabled])
    }

    /// Adds rows to the legacy database (then closes it, as BrainDrive would between runs).
    func addRows(_ body: (Database) throws -> Void) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: legacyDB, configuration: configuration)
        try queue.write(body)
        try queue.close()
    }

    /// The sample catalog (deploy/catalog), whose manifests list BrainDrive's real slugs in `legacy_slugs`.
    func copySampleCatalog() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.removeItem(atPath: catalogDir)
        try FileManager.default.copyItem(atPath: repository.path + "/deploy/catalog", toPath: catalogDir)
    }

    /// Every path under the legacy folder with its content (or link target), to prove it is untouched.
    func legacySnapshot() throws -> [String: Data] {
        var result: [String: Data] = [:]
        let fm = FileManager.default
        for rel in try fm.subpathsOfDirectory(atPath: root + "/braindrive") {
            let path = root + "/braindrive/" + rel
            if let target = try? fm.destinationOfSymbolicLink(atPath: path) { result[rel] = Data(("link:" + target).utf8); continue }
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: path, isDirectory: &isDir)
            result[rel] = isDir.boolValue ? Data("dir".utf8) : try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return result
    }
}
