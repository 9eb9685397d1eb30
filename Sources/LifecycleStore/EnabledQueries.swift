import GRDB

package enum EnabledChange: Sendable, Equatable {
    case pluginMissing, moduleMissing, unchanged, changed
}

extension LifecycleDatabase {
    /// Sets the enabled flag of a plugin (or of one of its modules, by name) and records `audit`
    /// in the same transaction, only if the flag actually changes.
    package func setEnabled(_ enabled: Bool, userID: String, slug: String, module: String?, at now: String,
                           audit: (PluginRow) -> AuditEventRow) throws -> EnabledChange {
        try write { db in
            guard var plugin = try PluginRow.filter(Column("user_id") == userID && Column("plugin_slug") == slug).fetchOne(db) else {
                return .pluginMissing
            }
            let pluginID = plugin.id
            if let module {
                guard var row = try ModuleRow.filter(Column("plugin_id") == pluginID && Column("name") == module).fetchOne(db) else {
                    return .moduleMissing
                }
                if row.enabled == enabled { return .unchanged }
                row.enabled = enabled
                row.updatedAt = now
                try row.update(db)
            } else {
                if plugin.enabled == enabled { return .unchanged }
                plugin.enabled = enabled
                plugin.updatedAt = now
                try plugin.update(db)
            }
            try record(audit(plugin), db)
            return .changed
        }
    }
}
