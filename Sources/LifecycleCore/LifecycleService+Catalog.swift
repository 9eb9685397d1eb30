import Foundation
import LifecycleStore
import PluginCatalog

/// Catalog views: what can be installed (with, given a user, what they have), one plugin's manifest and its versions.
extension LifecycleService {
    /// The catalog with, given a user, which plugins they have. The catalog part is built once per
    /// catalog generation (a publish, or any change of the catalog folder, rebuilds it); per
    /// request only the user's installed versions are read, with one indexed query.
    public func available(for user: UserID? = nil) throws(LifecycleError) -> AvailableList {
        try classified {
            let catalogPart = availableCatalogPart()
            let installed = try user.map { try database.hot.installedVersions(userID: $0.value) } ?? [:]
            var plugins: [String: AvailablePlugin] = [:]
            plugins.reserveCapacity(catalogPart.count)
            for var plugin in catalogPart {
                if user != nil {
                    plugin.installed = installed[plugin.slug] != nil
                    plugin.installedVersion = installed[plugin.slug]
                }
                plugins[plugin.slug] = plugin
            }
            return AvailableList(availablePlugins: plugins, totalCount: plugins.count)
        }
    }

    func availableCatalogPart() -> [AvailablePlugin] {
        let (index, generation) = catalog.snapshot
        if let cached = availableCache.withLock({ $0 }), cached.generation == generation { return cached.plugins }
        let plugins = index.entries.map { entry in
            let latest = entry.latest
            return AvailablePlugin(
                slug: entry.slug.value, name: latest.manifest.name, version: latest.version.description,
                versions: entry.versions.map(\.version.description),
                description: latest.manifest.description, author: latest.manifest.author,
                modulesCount: latest.manifest.modules.count,
                dependencies: Self.canonicalDependencies(latest.manifest.dependencies),
                installed: nil, installedVersion: nil)
        }
        availableCache.withLock { $0 = (generation, plugins) }
        return plugins
    }

    public func info(slug raw: String) throws(LifecycleError) -> PluginInfo {
        let slug = try Self.slug(raw)
        guard let entry = catalog.current.entry(slug) else { throw .pluginNotFound(slug: slug.value) }
        var manifest = entry.latest.manifestJSON.objectValue ?? [:]
        manifest["versions"] = .array(entry.versions.map { .string($0.version.description) })
        return PluginInfo(pluginSlug: slug.value, pluginInfo: .object(manifest))
    }

    public func versions(slug raw: String) throws(LifecycleError) -> VersionsList {
        let slug = try Self.slug(raw)
        guard let entry = catalog.current.entry(slug) else { throw .pluginNotFound(slug: slug.value) }
        return VersionsList(pluginSlug: slug.value, latest: entry.latest.version.description,
                            versions: entry.versions.map { .init(version: $0.version.description, dependencies: Self.canonicalDependencies($0.manifest.dependencies)) })
    }

    /// Dependency maps as responses show them: keys in canonical slug form, ranges as written.
    static func canonicalDependencies(_ dependencies: [String: String]) -> [String: String] {
        Dictionary(dependencies.map { ((try? PluginSlug($0.key).value) ?? $0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
}
