import Foundation
import PluginCatalog

extension LegacyMigrator {
    struct BuiltManifest {
        var manifest: PluginManifest
        var dependencies: [PluginSlug: VersionRange]
    }

    /// The manifest a catalog package would carry, from the legacy plugin row and its module rows.
    /// Dependencies are named as legacy rows name plugins, so they map through `slugMap` too.
    func buildManifest(_ row: LegacyPlugin, slug: PluginSlug, version: SemanticVersion, modules: [LegacyModule],
                       slugMap: LegacySlugMap, report: (MigrationReport.Defect.Kind, String) -> Void) -> BuiltManifest {
        func json(_ text: String?, _ field: String) -> JSONValue? {
            guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
                report(.invalidJSON, "\(field) is not JSON; ignored")
                return nil
            }
            return value == .null ? nil : value
        }

        var dependencies: [PluginSlug: VersionRange] = [:]
        var dependencyText: [String: String] = [:]
        switch json(row.dependencies, "plugin.dependencies") {
        case .object(let members)?:
            for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                guard case .mapped(let dependency, _) = slugMap.resolve(name), let text = value.stringValue,
                      let range = try? VersionRange(text) else {
                    report(.invalidDependency, "dependency '\(name)' with range \(value) is not a slug and version range; ignored")
                    continue
                }
                dependencies[dependency] = range
                dependencyText[dependency.value] = text
            }
        case .array(let items)? where !items.isEmpty:
            report(.invalidDependency, "dependencies are a list, not an object of slug → range; ignored")
        case nil, .some(.array):
            break
        case let other?:
            report(.invalidDependency, "dependencies \(other) are not an object; ignored")
        }

        var names: Set<String> = []
        var manifests: [ModuleManifest] = []
        for module in modules {
            let name = module.name ?? ""
            guard ModuleManifest.isValidName(name) else {
                report(.invalidModuleName, "module row '\(module.id)' has name '\(name)', which is not a valid module name; not migrated")
                continue
            }
            guard names.insert(name).inserted else {
                report(.duplicateModule, "module row '\(module.id)' repeats module name '\(name)'; only the first is migrated")
                continue
            }
            let field = "module \(module.id)"
            var tags: [String]?
            if let value = json(module.tags, "\(field).tags") {
                if let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) {
                    tags = items.compactMap(\.stringValue)
                } else {
                    report(.invalidJSON, "\(field).tags is not a list of strings; ignored")
                }
            }
            manifests.append(ModuleManifest(
                name: name, displayName: module.displayName, description: module.description, icon: module.icon,
                category: module.category, priority: module.priority, props: json(module.props, "\(field).props"),
                configFields: json(module.configFields, "\(field).config_fields"),
                requiredServices: json(module.requiredServices, "\(field).required_services"),
                layout: json(module.layout, "\(field).layout"), tags: tags))
        }
        let name = row.name.flatMap { $0.isEmpty ? nil : $0 } ?? row.slug
        let manifest = PluginManifest(slug: slug.value, name: name, version: version.description, description: row.description,
                                      author: row.author, scope: row.scope, bundleLocation: row.bundleLocation,
                                      modules: manifests, dependencies: dependencyText)
        return BuiltManifest(manifest: manifest, dependencies: dependencies)
    }

    func makePackage(_ manifest: PluginManifest, slug: PluginSlug, version: SemanticVersion,
                     dependencies: [PluginSlug: VersionRange], directory: String, files: [PackageFile]) throws -> CatalogPackage {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let manifestJSON = try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(manifest))
        return CatalogPackage(slug: slug, version: version, manifest: manifest, manifestJSON: manifestJSON,
                              dependencies: dependencies, directory: URL(fileURLWithPath: directory, isDirectory: true),
                              files: files)
    }
}
