import LifecycleCore
import PluginAPI
import TokenAuth

/// Cheap digests of answers: equal answers give equal values, and a different status, count
/// or outcome gives another. They cost little beside the work they digest.
enum Fingerprint {
    private static func mix(_ values: Int...) -> Int {
        values.reduce(17) { $0 &* 31 &+ $1 }
    }

    private static func flag(_ value: Bool?) -> Int { value == true ? 1 : value == false ? 0 : -1 }

    static func of(_ result: Result<Identity, AuthFailure>) -> Int {
        switch result {
        case .success(let identity): mix(1, identity.userID.utf8.count, flag(identity.isAdmin))
        case .failure(.missingToken): mix(2)
        case .failure(.expiredToken): mix(3)
        case .failure(.invalidToken(let reason)): mix(4, reason.utf8.count)
        }
    }

    static func of(_ response: HTTPResponse) -> Int {
        mix(response.status, response.body.count, response.headers.count)
    }

    static func of(_ report: StatusReport) -> Int {
        mix(report.status.rawValue.utf8.count, flag(report.exists), flag(report.filesExist), flag(report.enabled),
            report.files.expected, report.files.missing.count, report.files.modified.count,
            report.modulesStatus.loadedCount, report.modulesStatus.expectedCount)
    }

    static func of(_ list: InstalledList) -> Int {
        list.installedPlugins.reduce(mix(list.totalCount)) { sum, plugin in
            mix(sum, plugin.modules.count, plugin.status.rawValue.utf8.count, flag(plugin.enabled))
        }
    }

    static func of(_ list: AvailableList) -> Int {
        // Added, not mixed: a dictionary's order is not part of the answer.
        list.availablePlugins.values.reduce(mix(list.totalCount)) { sum, plugin in
            sum &+ mix(plugin.modulesCount, flag(plugin.installed))
        }
    }
}
