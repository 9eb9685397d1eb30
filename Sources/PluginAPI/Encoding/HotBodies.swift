import LifecycleCore

/// A response payload that writes its own JSON (see ``JSONWriter``); the keys of each object in
/// sorted order, optional members left out when nil, as their synthesized `Encodable` does.
protocol JSONWritable: Encodable {
    func write(to json: inout JSONWriter)
}

extension JSONBody {
    /// The success envelope around a self-writing payload (its keys sorted: data, message, status).
    static func envelope(message: String, data: some JSONWritable) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("data")
        data.write(to: &json)
        json.member("message", message)
        json.member("status", "success")
        json.endObject()
        return json.bytes
    }
}

extension StatusReport: JSONWritable {
    func write(to json: inout JSONWriter) { write(to: &json, link: nil) }

    /// With `link`, the signed URL of the copy's bundle and its container's name (``StatusAnswer``).
    func write(to json: inout JSONWriter, link: BundleLink?) {
        json.beginObject()
        json.bundleLink(link)
        json.member("enabled", enabled)
        json.member("exists", exists)
        json.key("files")
        json.beginObject()
        json.member("expected", files.expected)
        json.member("missing", strings: files.missing)
        json.member("modified", strings: files.modified)
        json.endObject()
        json.member("files_exist", filesExist)
        json.key("modules_status")
        json.beginObject()
        json.member("all_loaded", modulesStatus.allLoaded)
        json.member("expected_count", modulesStatus.expectedCount)
        json.member("loaded_count", modulesStatus.loadedCount)
        json.endObject()
        json.member("plugin_id", pluginID)
        json.member("plugin_slug", pluginSlug)
        json.member("scope", link == nil ? nil : bundle?.scope)
        json.member("status", status.rawValue)
        json.member("version", version)
        json.endObject()
    }
}

extension InstalledList: JSONWritable {
    func write(to json: inout JSONWriter) { write(to: &json, links: []) }

    /// With `links` (one per plugin, in order), each copy's signed bundle URL (``InstalledAnswer``).
    func write(to json: inout JSONWriter, links: [BundleLink?]) {
        json.beginObject()
        json.key("installed_plugins")
        json.beginArray()
        for (index, plugin) in installedPlugins.enumerated() {
            let link = index < links.count ? links[index] : nil
            json.beginObject()
            json.bundleLink(link)
            json.member("disabled_modules", strings: plugin.disabledModules)
            json.member("enabled", plugin.enabled)
            json.member("installed_at", plugin.installedAt)
            json.member("latest_version", plugin.latestVersion)
            json.member("modules", strings: plugin.modules)
            json.member("plugin_id", plugin.pluginID)
            json.member("plugin_slug", plugin.pluginSlug)
            json.member("scope", link == nil ? nil : plugin.bundle?.scope)
            json.member("status", plugin.status.rawValue)
            json.member("update_available", plugin.updateAvailable)
            json.member("version", plugin.version)
            json.endObject()
        }
        json.endArray()
        json.member("total_count", totalCount)
        json.endObject()
    }
}

extension JSONWriter {
    /// `bundle_url` and `bundle_url_expires_at`, the first keys of an installed copy's object.
    mutating func bundleLink(_ link: BundleLink?) {
        guard let link else { return }
        member("bundle_url", link.url)
        member("bundle_url_expires_at", link.expiresText)
    }
}

/// `status`'s payload: the report and its copy's signed bundle URL (nil: none handed out).
struct StatusAnswer: JSONWritable {
    let report: StatusReport
    let link: BundleLink?

    func write(to json: inout JSONWriter) { report.write(to: &json, link: link) }

    // The same JSON through Encodable (the hot writer is tested against it): the report's keys and the link's.
    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        try BundleLinkKeys.encode(link, scope: report.bundle?.scope, to: encoder)
    }
}

/// `installed`'s payload: the list and each copy's signed bundle URL.
struct InstalledAnswer: JSONWritable {
    let list: InstalledList
    let links: [BundleLink?]

    func write(to json: inout JSONWriter) { list.write(to: &json, links: links) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(list.totalCount, forKey: .totalCount)
        var items = container.nestedUnkeyedContainer(forKey: .installedPlugins)
        for (index, plugin) in list.installedPlugins.enumerated() {
            try items.encode(Item(plugin: plugin, link: index < links.count ? links[index] : nil))
        }
    }

    private enum Keys: String, CodingKey { case installedPlugins = "installed_plugins", totalCount = "total_count" }

    private struct Item: Encodable {
        let plugin: InstalledList.Plugin
        let link: BundleLink?
        func encode(to encoder: any Encoder) throws {
            try plugin.encode(to: encoder)
            try BundleLinkKeys.encode(link, scope: plugin.bundle?.scope, to: encoder)
        }
    }
}

/// `info`'s payload: the catalog entry, and for a caller with an enabled copy its signed bundle URL.
struct InfoAnswer: Encodable {
    let info: PluginInfo
    let link: (link: BundleLink, scope: String)?

    func encode(to encoder: any Encoder) throws {
        try info.encode(to: encoder)
        try BundleLinkKeys.encode(link?.link, scope: link?.scope, to: encoder)
    }
}

/// The three members a signed bundle URL adds to an object, for the Encodable forms.
enum BundleLinkKeys: String, CodingKey {
    case bundleURL = "bundle_url", expiresAt = "bundle_url_expires_at", scope

    static func encode(_ link: BundleLink?, scope: String?, to encoder: any Encoder) throws {
        guard let link else { return }
        var container = encoder.container(keyedBy: Self.self)
        try container.encode(link.url, forKey: .bundleURL)
        try container.encode(link.expiresText, forKey: .expiresAt)
        try container.encodeIfPresent(scope, forKey: .scope)
    }
}

extension AvailableList: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("available_plugins")
        json.beginObject()
        for (slug, plugin) in availablePlugins.sorted(by: { $0.key < $1.key }) {
            json.key(slug)
            json.beginObject()
            json.member("author", plugin.author)
            json.member("dependencies", sortedMap: plugin.dependencies)
            json.member("description", plugin.description)
            json.member("installed", plugin.installed)
            json.member("installed_version", plugin.installedVersion)
            json.member("modules_count", plugin.modulesCount)
            json.member("name", plugin.name)
            json.member("slug", plugin.slug)
            json.member("version", plugin.version)
            json.member("versions", strings: plugin.versions)
            json.endObject()
        }
        json.endObject()
        json.member("total_count", totalCount)
        json.endObject()
    }
}

/// The success bodies of the hot routes as the API writes them, for the micro-benchmarks and for
/// other Swift callers that serve the same contract.
package enum SuccessBody {
    package static func status(_ report: StatusReport) -> [UInt8] { status(StatusAnswer(report: report, link: nil)) }

    static func status(_ answer: StatusAnswer) -> [UInt8] {
        JSONBody.envelope(message: "Plugin '\(answer.report.pluginSlug)' is \(answer.report.status.rawValue)", data: answer)
    }
}
