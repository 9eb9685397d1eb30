/// `plugin.json`: the declarative form of what BrainDrive's per-plugin lifecycle managers
/// declare in code. Keys are snake_case (`bundle_location`); unknown keys are ignored here but
/// kept in `CatalogPackage.manifestJSON`, which is what `info` serves.
package struct PluginManifest: Codable, Sendable, Equatable {
    package var slug: String
    package var name: String
    package var version: String
    package var description: String?
    package var author: String?
    package var scope: String?
    package var bundleLocation: String?
    package var modules: [ModuleManifest]
    /// Slug → npm-style version range; absent in the file means `[:]`.
    package var dependencies: [String: String]
    /// The slugs this plugin had before (BrainDrive's `BrainDriveChat` for `braindrive_chat`), as
    /// legacy rows spell them, so `migrate-legacy` maps those rows to this package. `[]` when absent.
    package var legacySlugs: [String]

    package init(slug: String, name: String, version: String, description: String? = nil, author: String? = nil,
                scope: String? = nil, bundleLocation: String? = nil, modules: [ModuleManifest],
                dependencies: [String: String] = [:], legacySlugs: [String] = []) {
        self.slug = slug
        self.name = name
        self.version = version
        self.description = description
        self.author = author
        self.scope = scope
        self.bundleLocation = bundleLocation
        self.modules = modules
        self.dependencies = dependencies
        self.legacySlugs = legacySlugs
    }

    enum CodingKeys: String, CodingKey {
        case slug, name, version, description, author, scope, modules, dependencies
        case bundleLocation = "bundle_location", legacySlugs = "legacy_slugs"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        slug = try c.decode(String.self, forKey: .slug)
        name = try c.decode(String.self, forKey: .name)
        version = try c.decode(String.self, forKey: .version)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        author = try c.decodeIfPresent(String.self, forKey: .author)
        scope = try c.decodeIfPresent(String.self, forKey: .scope)
        bundleLocation = try c.decodeIfPresent(String.self, forKey: .bundleLocation)
        modules = try c.decode([ModuleManifest].self, forKey: .modules)
        dependencies = try c.decodeIfPresent([String: String].self, forKey: .dependencies) ?? [:]
        legacySlugs = try c.decodeIfPresent([String].self, forKey: .legacySlugs) ?? []
    }

    /// Absent keys stay absent: a manifest written from this value (a migrated install's) says
    /// no more than its file would.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(slug, forKey: .slug)
        try c.encode(name, forKey: .name)
        try c.encode(version, forKey: .version)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(author, forKey: .author)
        try c.encodeIfPresent(scope, forKey: .scope)
        try c.encodeIfPresent(bundleLocation, forKey: .bundleLocation)
        try c.encode(modules, forKey: .modules)
        try c.encode(dependencies, forKey: .dependencies)
        if !legacySlugs.isEmpty { try c.encode(legacySlugs, forKey: .legacySlugs) }
    }

    /// Why `legacySlugs` is not acceptable, or nil: each must have a canonical form (letters,
    /// digits, '-' or '_', at most 64, as `PluginSlug` reads it) and be listed once, whatever the
    /// spelling, so one legacy row can never name two entries of this list.
    package func legacySlugsProblem() -> (index: Int, message: String)? {
        var seen: [PluginSlug: Int] = [:]
        for (index, raw) in legacySlugs.enumerated() {
            guard let slug = try? PluginSlug(raw) else {
                return (index, "\(CatalogError.quoted(raw)) is not a slug (letters, digits, '-' or '_', at most 64)")
            }
            if let first = seen[slug] { return (index, "'\(raw)' is listed twice (also legacy_slugs[\(first)])") }
            seen[slug] = index
        }
        return nil
    }
}
