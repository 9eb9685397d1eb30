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
    func write(to json: inout JSONWriter) {
        json.beginObject()
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
        json.member("status", status.rawValue)
        json.member("version", version)
        json.endObject()
    }
}

extension InstalledList: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("installed_plugins")
        json.beginArray()
        for plugin in installedPlugins {
            json.beginObject()
            json.member("disabled_modules", strings: plugin.disabledModules)
            json.member("enabled", plugin.enabled)
            json.member("installed_at", plugin.installedAt)
            json.member("latest_version", plugin.latestVersion)
            json.member("modules", strings: plugin.modules)
            json.member("plugin_id", plugin.pluginID)
            json.member("plugin_slug", plugin.pluginSlug)
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
    package static func status(_ report: StatusReport) -> [UInt8] {
        JSONBody.envelope(message: "Plugin '\(report.pluginSlug)' is \(report.status.rawValue)", data: report)
    }
}
