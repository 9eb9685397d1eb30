import GRDB

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

    static func pluginCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM plugin") ?? 0
    }

    /// Every installed (user, plugin), ordered by user then slug.
    package func allPluginKeys() throws -> [(userID: String, slug: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT user_id, plugin_slug FROM plugin ORDER BY user_id, plugin_slug")
                .map { ($0[0] as String, $0[1] as String) }
        }
    }

    /// Every installed plugin's manifest, ordered by user then slug, in one transaction: operations
    /// commit a plugin and its dependencies together, so this never shows one without the other.
    package func allInstalledManifests() throws -> [InstalledManifest] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT user_id, plugin_slug, version, manifest_json FROM plugin ORDER BY user_id, plugin_slug")
                .map { InstalledManifest(userID: $0[0], pluginSlug: $0[1], version: $0[2], manifestJSON: $0[3]) }
        }
    }
}
