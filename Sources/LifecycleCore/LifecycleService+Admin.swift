import Foundation
import LifecycleStore
import PluginCatalog
import Posix

/// Admin operations over many users: bulk install and uninstall, and purging a deleted user.
extension LifecycleService {
    /// Installs for each user in turn; each user's part is all-or-nothing, one user's failure does not stop the rest.
    package func bulkInstall(slug: PluginSlug, users: [UserID], version: SemanticVersion?, context: OperationContext,
                            progress: (Int, UserID, Result<InstallResult, LifecycleError>) -> Void = { _, _, _ in })
        -> [(UserID, Result<InstallResult, LifecycleError>)] {
        var results: [(UserID, Result<InstallResult, LifecycleError>)] = []
        for (index, user) in users.enumerated() {
            let result: Result<InstallResult, LifecycleError>
            do { result = .success(try install(user: user, slug: slug, version: version, context: context)) }
            catch { result = .failure(error) }
            progress(index + 1, user, result)
            results.append((user, result))
        }
        return results
    }

    package func bulkUninstall(slug: PluginSlug, users: [UserID], context: OperationContext,
                              progress: (Int, UserID, Result<UninstallResult, LifecycleError>) -> Void = { _, _, _ in })
        -> [(UserID, Result<UninstallResult, LifecycleError>)] {
        var results: [(UserID, Result<UninstallResult, LifecycleError>)] = []
        for (index, user) in users.enumerated() {
            let result: Result<UninstallResult, LifecycleError>
            do { result = .success(try uninstall(user: user, slug: slug, context: context)) }
            catch { result = .failure(error) }
            progress(index + 1, user, result)
            results.append((user, result))
        }
        return results
    }

    /// Removes every install of a (deleted) user, their folder and every share to or from them, in one step.
    public func purge(user: UserID, context: OperationContext) throws(LifecycleError) -> PurgeResult {
        try classified {
            let slugs = try database.plugins(userID: user.value).map(\.pluginSlug)
            let result = try withOperations(on: slugs, user: user, kind: "purge") { operations in
                var changes: [LifecycleDatabase.Change] = []
                for operation in operations {
                    guard let existing = try database.installedPlugin(userID: user.value, slug: operation.slug) else { continue }
                    if FileTree.exists(operation.target) { try FileTree.rename(operation.target, operation.oldFolder) }
                    changes.append(.remove(pluginID: existing.plugin.id,
                                           audit: audit(context, user, operation.slug, "purge", from: existing.plugin.version, to: nil),
                                           operationID: operation.id))
                }
                let removedShares = try database.sharesCount(involving: user.value)
                try database.commit(changes + [.removeShares(userID: user.value)])
                return PurgeResult(userID: user.value, uninstalled: slugs, sharesRemoved: removedShares)
            }
            // Anything else left in the user's folder goes too, unless an install for this user
            // committed or started meanwhile (its files are not ours to delete).
            if try database.plugins(userID: user.value).isEmpty, try database.leases(userID: user.value).isEmpty {
                try FileTree.removeTree(directory.userFolder(user))
            }
            logger.notice("purged user", metadata: ["user_id": "\(user)", "plugins": "\(slugs.count)",
                                                    "request_id": "\(context.requestID ?? "-")"])
            return result
        }
    }
}
