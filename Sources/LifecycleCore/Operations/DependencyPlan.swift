import PluginCatalog

/// What an install needs for one user: the packages to install, dependencies first, reusing
/// installed versions that satisfy each range. Refuses (422) a range nothing satisfies, a
/// dependency installed at a version outside its range, and cycles.
struct DependencyPlan {
    /// Dependencies first, the requested package last.
    private(set) var packages: [CatalogPackage] = []
    /// Installed plugins the plan relies on: held (leased) during the install so that an uninstall
    /// or update of one of them cannot slip in between the check and the commit.
    private(set) var reused: [String] = []

    init(for root: CatalogPackage, catalog: CatalogIndex, installed: [String: SemanticVersion]) throws(LifecycleError) {
        var visiting: [String] = []
        try visit(root, catalog: catalog, installed: installed, visiting: &visiting)
    }

    private mutating func visit(_ package: CatalogPackage, catalog: CatalogIndex, installed: [String: SemanticVersion],
                                visiting: inout [String]) throws(LifecycleError) {
        let slug = package.slug.value
        if visiting.contains(slug) {
            throw .dependencyUnsatisfied(slug: visiting.last ?? slug, dependency: slug,
                                         range: "(cycle: \((visiting + [slug]).joined(separator: " -> ")))")
        }
        visiting.append(slug)
        defer { visiting.removeLast() }
        for (dependency, range) in package.dependencies.sorted(by: { $0.key < $1.key }) {
            if let version = installed[dependency.value] {
                guard range.contains(version) else {
                    throw .dependencyUnsatisfied(slug: slug, dependency: dependency.value, range: range.description)
                }
                if !reused.contains(dependency.value) { reused.append(dependency.value) }
                continue
            }
            if let planned = packages.first(where: { $0.slug == dependency }) {
                guard range.contains(planned.version) else {
                    throw .dependencyUnsatisfied(slug: slug, dependency: dependency.value, range: range.description)
                }
                continue
            }
            guard let chosen = catalog.entry(dependency)?.newest(satisfying: range) else {
                throw .dependencyUnsatisfied(slug: slug, dependency: dependency.value, range: range.description)
            }
            try visit(chosen, catalog: catalog, installed: installed, visiting: &visiting)
        }
        packages.append(package)
    }
}
