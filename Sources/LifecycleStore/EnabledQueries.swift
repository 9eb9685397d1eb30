package enum EnabledChange: Sendable, Equatable {
    case pluginMissing, moduleMissing, unchanged, changed
}

extension LifecycleDatabase {
    /// Sets the enabled flag of a plugin (or of one of its modules, by name) and records `audit`
    /// in the same transaction, only if the flag actually changes.
    package func setEnabled(_ enabled: Bool, userID: String, slug: String, module: String?, at now: String,
                           audit: (PluginRow) -> AuditEventRow) throws -> EnabledChange {
        try write { db in
            guard var plugin = try db.one(HotQueries.plugin, [.text(userID), .text(slug)], { try PluginRow(columns: $0) }) else {
                return .pluginMissing
            }
            if let module {
                guard let moduleEnabled = try db.one("SELECT enabled FROM module WHERE plugin_id = ? AND name = ?",
                                                     [.text(plugin.id), .text(module)], { try $0.bool(0) }) else {
                    return .moduleMissing
                }
                if moduleEnabled == enabled { return .unchanged }
                try db.execute("UPDATE module SET enabled = ?, updated_at = ? WHERE plugin_id = ? AND name = ?",
                               [.bool(enabled), .text(now), .text(plugin.id), .text(module)])
            } else {
                if plugin.enabled == enabled { return .unchanged }
                plugin.enabled = enabled
                plugin.updatedAt = now
                try db.execute("UPDATE plugin SET enabled = ?, updated_at = ? WHERE id = ?",
                               [.bool(enabled), .text(now), .text(plugin.id)])
            }
            try record(audit(plugin), db)
            return .changed
        }
    }
}
