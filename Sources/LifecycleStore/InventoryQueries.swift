/// What an installed plugin's manifest needs of other plugins, with the version it is at.
package struct InstalledManifest: Sendable, Equatable {
    package var userID: String
    package var pluginSlug: String
    package var version: String
    package var manifestJSON: String
}

/// Whole-database listings of installed plugins, every user at once: for doctor and restore, never
/// on the request path (those queries are scoped by user, see ``HotQueries``).
extension LifecycleDatabase {
    package func pluginCount() throws -> Int {
        try read { db in try Self.pluginCount(db) }
    }

    static func pluginCount(_ db: any SQLTransaction) throws -> Int {
        Int(try db.one("SELECT count(*) FROM plugin") { try $0.integer(0) } ?? 0)
    }

    /// Every installed (user, plugin), ordered by user then slug.
    package func allPluginKeys() throws -> [(userID: String, slug: String)] {
        try read { db in
            try db.all("SELECT user_id, plugin_slug FROM plugin ORDER BY user_id, plugin_slug") { (try $0.text(0), try $0.text(1)) }
        }
    }

    /// Every installed plugin's manifest, ordered by user then slug, in one transaction: operations
    /// commit a plugin and its dependencies together, so this never shows one without the other.
    package func allInstalledManifests() throws -> [InstalledManifest] {
        try read { db in
            try db.all("SELECT user_id, plugin_slug, version, manifest_json FROM plugin ORDER BY user_id, plugin_slug") {
                InstalledManifest(userID: try $0.text(0), pluginSlug: try $0.text(1), version: try $0.text(2),
                                  manifestJSON: try $0.text(3))
            }
        }
    }
}
