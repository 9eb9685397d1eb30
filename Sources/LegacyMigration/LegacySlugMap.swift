import PluginCatalog

/// Which catalog package a legacy row's slug stands for. BrainDrive spells slugs its own way
/// (`BrainDriveChat`), and the normalised form (`braindrivechat`) need not be the catalog's
/// (`braindrive_chat`): a package names its former slugs in `legacy_slugs`, and an install made
/// under any other slug would be stranded from the catalog (no update, no repair, a second copy).
struct LegacySlugMap {
    enum Via: String, Codable, Sendable {
        /// A catalog manifest lists the row's slug exactly in `legacy_slugs`.
        case legacySlugs = "legacy_slugs"
        /// A catalog manifest lists the row's slug in another spelling (case, '-' or '_').
        case legacySlugsNormalised = "legacy_slugs_normalised"
        /// No manifest lists it: the row's slug, normalised.
        case normalised
    }

    enum Resolution {
        case mapped(PluginSlug, Via)
        /// Two catalog packages claim the legacy slug.
        case conflict([PluginSlug])
        /// The row's slug has no canonical form and no manifest lists it.
        case invalid
    }

    private var exact: [String: Set<PluginSlug>] = [:]
    private var normalised: [PluginSlug: Set<PluginSlug>] = [:]
    private let catalogSlugs: Set<PluginSlug>

    /// Every version's `legacy_slugs` counts: an older version may list what a newer one dropped.
    init(catalog: CatalogIndex?) {
        let entries = catalog?.entries ?? []
        catalogSlugs = Set(entries.map(\.slug))
        for entry in entries {
            for raw in Set(entry.versions.flatMap(\.manifest.legacySlugs)) {
                exact[raw, default: []].insert(entry.slug)
                if let slug = try? PluginSlug(raw) { normalised[slug, default: []].insert(entry.slug) }
            }
        }
    }

    func isInCatalog(_ slug: PluginSlug) -> Bool { catalogSlugs.contains(slug) }

    /// Exact match in `legacy_slugs` first, then a match in another spelling, then the row's own
    /// slug normalised.
    func resolve(_ legacySlug: String) -> Resolution {
        let own = try? PluginSlug(legacySlug)
        for (claims, via) in [(exact[legacySlug], Via.legacySlugs), (own.flatMap { normalised[$0] }, .legacySlugsNormalised)] {
            guard let claims, !claims.isEmpty else { continue }
            if claims.count > 1 { return .conflict(claims.sorted()) }
            return .mapped(claims.first!, via)
        }
        return own.map { .mapped($0, .normalised) } ?? .invalid
    }
}
