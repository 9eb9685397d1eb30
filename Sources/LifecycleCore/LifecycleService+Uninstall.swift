import Foundation
import LifecycleStore
import PluginCatalog
import Posix

/// Uninstalling a plugin, or with `cascade` everything that needs it.
extension LifecycleService {
    public func uninstall(user rawUser: String, slug rawSlug: String, cascade: Bool = false,
                          context: OperationContext = .cli) throws(LifecycleError) -> UninstallResult {
        try uninstall(user: try UserID(rawUser), slug: try Self.slug(rawSlug), cascade: cascade, context: context)
    }

    /// Removes the caller's copy, or with `cascade` also every installed plugin that (transitively)
    /// needs it, in one all-or-nothing step. Dependencies it pulled in stay installed.
    package func uninstall(user: UserID, slug: PluginSlug, cascade: Bool = false,
                          context: OperationContext) throws(LifecycleError) -> UninstallResult {
        try classified {
            guard try database.installedPlugin(userID: user.value, slug: slug.value) != nil else {
                throw LifecycleError.notInstalled(slug: slug.value)
            }
            try requireWritableStorage()
            var slugs = [slug.value]
            if cascade {
                var index = 0
                while index < slugs.count {
                    for dependent in try dependents(of: slugs[index], user: user) where !slugs.contains(dependent) {
                        slugs.append(dependent)
                    }
                    index += 1
                }
            }
            return try withOperations(on: slugs, user: user, kind: "uninstall") { operations in
                var removed: [InstalledPlugin] = []
                for name in slugs {
                    guard let existing = try database.installedPlugin(userID: user.value, slug: name) else {
                        throw LifecycleError.notInstalled(slug: name)
                    }
                    removed.append(existing)
                }
                let remaining = try dependents(of: slug.value, user: user).filter { !slugs.contains($0) }
                if !remaining.isEmpty { throw LifecycleError.dependencyInUse(slug: slug.value, dependents: remaining) }
                var changes: [LifecycleDatabase.Change] = []
                for (operation, existing) in zip(operations, removed) {
                    if FileTree.exists(operation.target) {
                        try FileTree.rename(operation.target, operation.oldFolder)
                    }
                    changes.append(.remove(pluginID: existing.plugin.id,
                                           audit: audit(context, user, existing.plugin.pluginSlug, "uninstall",
                                                        from: existing.plugin.version, to: nil),
                                           operationID: operation.id))
                }
                try FileTree.syncDirectory(directory.userFolder(user))
                FaultPoint.hit("uninstall.before-commit")
                try database.commit(changes)
                runner.removeEmptyUserFolder(user)
                logger.info("uninstalled", metadata: ["user_id": "\(user)", "plugins": "\(slugs)",
                                                      "request_id": "\(context.requestID ?? "-")"])
                return UninstallResult(pluginID: removed[0].plugin.id, pluginSlug: slug.value,
                                       deletedModules: removed.flatMap { $0.modules.map(\.id) }, uninstalled: slugs)
            }
        }
    }

    /// The caller's installed plugins whose manifests depend on `slug`.
    func dependents(of slug: String, user: UserID) throws -> [String] {
        try database.plugins(userID: user.value).compactMap { row in
            guard row.pluginSlug != slug, let data = row.manifestJSON.data(using: .utf8),
                  let manifest = try? JSONDecoder().decode(PluginManifest.self, from: data) else { return nil }
            let needs = manifest.dependencies.keys.contains { (try? PluginSlug($0))?.value == slug }
            return needs ? row.pluginSlug : nil
        }
    }
}
