import Foundation
import LifecycleStore
import PluginCatalog

/// Repair: putting back an installed plugin's files and module rows as its version has them.
extension LifecycleService {
    public func repair(user rawUser: String, slug rawSlug: String, context: OperationContext = .cli) throws(LifecycleError) -> RepairResult {
        try repair(user: try UserID(rawUser), slug: try Self.slug(rawSlug), context: context)
    }

    package func repair(user: UserID, slug: PluginSlug, context: OperationContext) throws(LifecycleError) -> RepairResult {
        try classified {
            guard try database.installedPlugin(userID: user.value, slug: slug.value) != nil else {
                throw LifecycleError.notInstalled(slug: slug.value)
            }
            try requireWritableStorage()
            return try runner.run(user: user, slug: slug.value, kind: "repair") { operation in
                guard let existing = try database.installedPlugin(userID: user.value, slug: slug.value) else {
                    throw LifecycleError.notInstalled(slug: slug.value)
                }
                let before = inspect(existing, user: user, verify: .full)
                if before.status == .healthy {
                    try database.releaseLease(operationID: operation.id)
                    return RepairResult(pluginSlug: slug.value, oldStatus: .healthy, newStatus: .healthy, repairActions: [])
                }
                guard let version = SemanticVersion(existing.plugin.version),
                      let package = catalog.current.package(slug, version: version) else {
                    throw LifecycleError.versionNotFound(slug: slug.value, version: existing.plugin.version)
                }
                var actions: [String] = []
                var repaired: InstalledPlugin
                if before.status == .filesMissing || before.status == .filesModified {
                    repaired = try placeCopy(of: package, for: operation, previous: existing)
                    actions += before.files.missing.map { "restored missing file \($0)" }
                    actions += before.files.modified.map { "restored modified file \($0)" }
                } else {
                    repaired = rows(for: package, user: user, operationID: existing.plugin.operationID,
                                    files: existing.files.map { CopiedFile(path: $0.path, size: $0.size, sha256: $0.sha256) })
                }
                let present = Set(existing.modules.map(\.name))
                actions += repaired.modules.filter { !present.contains($0.name) }.map { "recreated module record \($0.name)" }
                if actions.isEmpty { actions.append("resynchronised module records") }
                FaultPoint.hit("repair.before-commit")
                try database.commitPlugin(repaired, audit: audit(context, user, slug.value, "repair",
                                                                  from: existing.plugin.version, to: existing.plugin.version),
                                          releasing: operation.id)
                let after = try database.installedPlugin(userID: user.value, slug: slug.value)
                    .map { inspect($0, user: user, verify: .full).status } ?? .notInstalled
                logger.info("repaired", metadata: ["user_id": "\(user)", "plugin_slug": "\(slug)",
                                                   "actions": "\(actions.count)", "request_id": "\(context.requestID ?? "-")"])
                return RepairResult(pluginSlug: slug.value, oldStatus: before.status, newStatus: after, repairActions: actions)
            }
        }
    }
}
