import LifecycleCore
import PluginCatalog

/// Admin routes: bulk install and uninstall (one result per user, never a 404 for the whole), purge.
extension PluginAPI {
    func bulkInstall(_ call: Call<Caller>) throws -> HTTPResponse {
        let slug = try call.slug()
        let users = try call.body.userIDs()
        let version = try call.body.optionalString("version").map { try LifecycleService.version($0) }
        let results = service.bulkInstall(slug: slug, users: users, version: version, context: call.context).map { user, result in
            switch result {
            case .success: return BulkResult.Outcome(userID: user.value, outcome: "installed")
            case .failure(.alreadyInstalled(_, let installed)):
                return BulkResult.Outcome(userID: user.value, outcome: "already_installed", code: "already_installed",
                                          detail: "version \(installed) is installed")
            case .failure(let error): return Self.failed(user, error)
            }
        }
        let bulk = BulkResult(pluginSlug: slug.value, results: results)
        return success(200, "Installed for \(bulk.succeeded) of \(results.count) users", bulk)
    }

    func bulkUninstall(_ call: Call<Caller>) throws -> HTTPResponse {
        let slug = try call.slug()
        let users = try call.body.userIDs()
        let results = service.bulkUninstall(slug: slug, users: users, context: call.context).map { user, result in
            switch result {
            case .success: return BulkResult.Outcome(userID: user.value, outcome: "uninstalled")
            case .failure(.notInstalled): return BulkResult.Outcome(userID: user.value, outcome: "not_installed", code: "not_installed")
            case .failure(let error): return Self.failed(user, error)
            }
        }
        let bulk = BulkResult(pluginSlug: slug.value, results: results)
        return success(200, "Uninstalled for \(bulk.succeeded) of \(results.count) users", bulk)
    }

    func purgeUser(_ call: Call<Caller>) throws -> HTTPResponse {
        let raw = try call.parameter("user_id")
        guard let user = try? UserID(raw) else { throw Problem.badRequest("'\(raw.prefix(64))' is not a valid user id") }
        let result = try service.purge(user: user, context: call.context)
        return success(200, "User '\(user.value)' purged", result)
    }

    private static func failed(_ user: UserID, _ error: LifecycleError) -> BulkResult.Outcome {
        let problem = Problem(error)
        return BulkResult.Outcome(userID: user.value, outcome: "failed", code: problem.code, detail: problem.detail)
    }
}
