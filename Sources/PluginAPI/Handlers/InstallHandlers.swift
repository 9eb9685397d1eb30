import LifecycleCore
import PluginCatalog

/// The caller's own plugins: install, uninstall, status, repair, update, enable and disable, lists.
extension PluginAPI {
    func install(_ call: Call<Caller>) throws -> HTTPResponse {
        let slug = try call.slug()
        let version = try call.body.optionalString("version").map { try LifecycleService.version($0) }
        let result = try service.install(user: call.caller.user, slug: slug, version: version, context: call.context)
        return success(201, "Plugin '\(result.pluginSlug)' installed", result)
    }

    func uninstall(_ call: Call<Caller>) throws -> HTTPResponse {
        let cascade: Bool
        switch call.request.query["cascade"] {
        case nil, "", "false", "0": cascade = false
        case "true", "1": cascade = true
        case let other?: throw Problem.badRequest("cascade must be true or false, not '\(other.prefix(20))'")
        }
        let result = try service.uninstall(user: call.caller.user, slug: try call.slug(), cascade: cascade, context: call.context)
        return success(200, "Plugin '\(result.pluginSlug)' uninstalled", result)
    }

    func status(_ call: Call<Caller>) throws -> HTTPResponse {
        let verify: VerifyMode
        switch call.request.query["verify"] {
        case nil, "", "size", "sizes", "default": verify = .sizes
        case "full": verify = .full
        case let other?: throw Problem.badRequest("verify must be 'full' or absent, not '\(other.prefix(20))'")
        }
        let report = try service.status(user: call.caller.user, slug: try call.slug(), verify: verify)
        let link = report.enabled == true ? bundleLink(call.caller.user, report.pluginSlug, report.version, report.bundle) : nil
        return cacheable(call.request, HTTPResponse(status: 200, headers: [("Content-Type", "application/json")],
                                                    body: SuccessBody.status(StatusAnswer(report: report, link: link))))
    }

    func repair(_ call: Call<Caller>) throws -> HTTPResponse {
        let result = try service.repair(user: call.caller.user, slug: try call.slug(), context: call.context)
        let message = result.repairActions.isEmpty ? "Plugin '\(result.pluginSlug)' was already healthy"
            : "Plugin '\(result.pluginSlug)' repaired"
        return success(200, message, result)
    }

    func update(_ call: Call<Caller>) throws -> HTTPResponse {
        let slug = try call.slug()
        let version = try call.body.optionalString("version").map { try LifecycleService.version($0) }
        let result = try service.update(user: call.caller.user, slug: slug, version: version, context: call.context)
        let message = result.previousVersion == result.newVersion
            ? "Plugin '\(result.pluginSlug)' is already at version \(result.newVersion)"
            : "Plugin '\(result.pluginSlug)' updated from \(result.previousVersion) to \(result.newVersion)"
        return success(200, message, result)
    }

    func setEnabled(_ enabled: Bool, _ call: Call<Caller>) throws -> HTTPResponse {
        let state = try service.setEnabled(enabled, user: call.caller.user, slug: try call.slug(), context: call.context)
        return success(200, "Plugin '\(state.pluginSlug)' \(enabled ? "enabled" : "disabled")", state)
    }

    func setModuleEnabled(_ enabled: Bool, _ call: Call<Caller>) throws -> HTTPResponse {
        let module = try call.parameter("module")
        let state = try service.setEnabled(enabled, user: call.caller.user, slug: try call.slug(), module: module,
                                           context: call.context)
        return success(200, "Module '\(module)' of '\(state.pluginSlug)' \(enabled ? "enabled" : "disabled")", state)
    }

    func installed(_ call: Call<Caller>) throws -> HTTPResponse {
        let list = try service.installed(user: call.caller.user)
        let links = list.installedPlugins.map { plugin in
            plugin.enabled ? bundleLink(call.caller.user, plugin.pluginSlug, plugin.version, plugin.bundle) : nil
        }
        return success(200, "\(list.totalCount) plugins installed", InstalledAnswer(list: list, links: links))
    }

    func updates(_ call: Call<Caller>) throws -> HTTPResponse {
        let list = try service.updates(user: call.caller.user)
        return success(200, "\(list.totalCount) updates available", list)
    }
}
