import Foundation
import LifecycleCore

/// The public routes: the catalog, liveness and the OpenAPI document.
extension PluginAPI {
    func available(_ call: Call<Caller?>) throws -> HTTPResponse {
        let list = try service.available(for: call.caller?.user)
        return cacheable(call.request, success(200, "\(list.totalCount) plugins available", list))
    }

    func health(_ call: Call<Caller?>) throws -> HTTPResponse {
        try service.health()
        return success(200, "ok", HealthData(database: "ok", catalog: "ok", workerPID: Int(getpid())))
    }

    func info(_ call: Call<Caller?>) throws -> HTTPResponse {
        let info = try service.info(slug: try call.parameter("slug"))
        // With a token, and the caller's copy installed and enabled: its signed bundle URL too.
        // The catalog answer stands on its own: a failed read of the copy leaves the URL out.
        let slug = try call.slug()
        let link = call.caller.flatMap { caller in (try? installedBundleLink(caller.user, slug)) ?? nil }
        return cacheable(call.request, success(200, "Plugin '\(info.pluginSlug)'", InfoAnswer(info: info, link: link)))
    }

    func versions(_ call: Call<Caller?>) throws -> HTTPResponse {
        let list = try service.versions(slug: try call.parameter("slug"))
        return cacheable(call.request, success(200, "\(list.versions.count) versions of '\(list.pluginSlug)'", list))
    }

    /// The document itself, not wrapped in the success envelope.
    func openAPI(_ call: Call<Caller?>) -> HTTPResponse {
        cacheable(call.request, HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: OpenAPIDocument.bytes))
    }
}

struct HealthData: Encodable {
    let database: String
    let catalog: String
    let workerPID: Int
    enum CodingKeys: String, CodingKey { case database, catalog, workerPID = "worker_pid" }
}
