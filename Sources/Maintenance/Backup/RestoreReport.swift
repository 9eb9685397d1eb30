/// What `restore` did, for the operator.
package struct RestoreReport: Codable, Sendable, Equatable {
    package var source: String
    package var dataDirectory: String
    package var backupCreatedAt: String
    package var users: Int
    package var plugins: Int
    package var folders: Int
    package var restoredSecret: Bool
    package var restoredCatalog: Bool
    /// Entries of the data directory that were replaced, now in ``previousData``.
    package var replaced: [String]
    /// `.restore-ID-previous/`, holding the replaced entries until the operator removes it; nil when nothing was replaced.
    package var previousData: String?
    /// Migrations applied to the restored database (a backup made by an older build).
    package var migrationsApplied: [String]

    enum CodingKeys: String, CodingKey {
        case source, users, plugins, folders, replaced
        case dataDirectory = "data_directory", backupCreatedAt = "backup_created_at"
        case restoredSecret = "restored_secret", restoredCatalog = "restored_catalog"
        case migrationsApplied = "migrations_applied", previousData = "previous_data"
    }

    package var text: String {
        var lines = ["restored \(source) (made \(backupCreatedAt)) into \(dataDirectory)",
                     "  database: \(plugins) installed plugins of \(users) users; \(folders) plugin folders copied"]
        lines.append("  secret: " + (restoredSecret ? "restored (tokens signed before the backup verify again)" : "not in the backup, left as it was"))
        lines.append("  catalog: " + (restoredCatalog ? "restored" : "not in the backup, left as it was"))
        if !replaced.isEmpty { lines.append("  replaced: \(replaced.joined(separator: ", "))") }
        if let previousData {
            lines.append("  the replaced data is kept in \(previousData); once the restored data is what you want, remove it: rm -rf \(previousData)")
        }
        if !migrationsApplied.isEmpty { lines.append("  migrated: \(migrationsApplied.joined(separator: ", "))") }
        return lines.joined(separator: "\n")
    }
}
