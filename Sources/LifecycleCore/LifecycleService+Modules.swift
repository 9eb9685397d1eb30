import Foundation
import LifecycleStore
import PluginCatalog

/// Switching a plugin or one of its modules on or off.
extension LifecycleService {
    /// Switches the caller's plugin, or one of its modules, on or off; files and rows are kept.
    /// Idempotent: no change, no audit event.
    package func setEnabled(_ enabled: Bool, user: UserID, slug: PluginSlug, module: String? = nil,
                           context: OperationContext) throws(LifecycleError) -> EnabledState {
        try classified {
            let pluginID = "\(user.value)_\(slug.value)"
            let action = (enabled ? "enable" : "disable") + (module.map { ":" + $0 } ?? "")
            let change = try database.setEnabled(enabled, userID: user.value, slug: slug.value, module: module, at: Timestamp.now()) { plugin in
                audit(context, user, slug.value, action, from: plugin.version, to: plugin.version)
            }
            switch change {
            case .pluginMissing: throw LifecycleError.notInstalled(slug: slug.value)
            case .moduleMissing: throw LifecycleError.moduleNotFound(slug: slug.value, module: module ?? "")
            case .unchanged, .changed: break
            }
            guard let installed = try database.installedPlugin(userID: user.value, slug: slug.value) else {
                throw LifecycleError.notInstalled(slug: slug.value)
            }
            return EnabledState(pluginID: pluginID, pluginSlug: slug.value, enabled: installed.plugin.enabled,
                                modules: installed.modules.map { .init(moduleID: $0.id, name: $0.name, enabled: $0.enabled) })
        }
    }
}
