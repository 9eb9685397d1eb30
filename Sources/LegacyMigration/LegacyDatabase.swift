import Foundation
import GRDB

/// One row of BrainDrive's `plugin` table (only the columns the migration uses).
struct LegacyPlugin: Sendable {
    var id: String
    var userID: String
    var slug: String
    var name: String?
    var version: String?
    var description: String?
    var author: String?
    var scope: String?
    var bundleLocation: String?
    var dependencies: String?
    /// `enabled = 0` (or false) in the row; NULL counts as enabled, as BrainDrive's default.
    var enabled: Bool
}

/// One row of BrainDrive's `module` table.
struct LegacyModule: Sendable {
    var id: String
    var pluginID: String
    var name: String?
    var displayName: String?
    var description: String?
    var icon: String?
    var category: String?
    var priority: Int?
    var props: String?
    var configFields: String?
    var requiredServices: String?
    var layout: String?
    var tags: String?
    var enabled: Bool
}

package enum LegacyMigrationError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case notBrainDrive(path: String)
    case serviceRequired
    case pluginsDirectoryMissing(path: String)

    package var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the legacy database \(path) read-only: \(reason)"
        case .notBrainDrive(let path): "\(path) has no `plugin` table: not a BrainDrive database"
        case .serviceRequired: "--apply needs a data directory"
        case .pluginsDirectoryMissing(let path): "the legacy plugins folder \(path) does not exist or is not a folder"
        }
    }
}

/// The legacy data, read once through a read-only connection (the file is never written).
struct LegacySnapshot: Sendable {
    var plugins: [LegacyPlugin]
    var modules: [LegacyModule]
    /// Row counts of tables that name plugins without owning them (reported, not migrated).
    var otherReferences: [String: Int]

    static let unownedTables = ["plugin_service_runtime", "plugin_states", "settings_instances", "pages"]

    /// Reads a copy: even a read-only connection to a WAL-mode database creates `-wal`/`-shm`
    /// files beside it (and may checkpoint into it). The copy (database + its `-wal`, so
    /// un-checkpointed rows are seen) sits in a private temp folder, removed afterwards.
    static func read(path: String) throws -> LegacySnapshot {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LegacyMigrationError.cannotOpen(path: path, reason: "no such file")
        }
        let copyFolder = NSTemporaryDirectory() + "legacy-braindrive-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: copyFolder) }
        let copy = copyFolder + "/braindrive.db"
        do {
            try FileManager.default.createDirectory(atPath: copyFolder, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            // The -wal first: a checkpoint by a running BrainDrive between the two copies then
            // only moves rows into the database copy we take next.
            if FileManager.default.fileExists(atPath: path + "-wal") {
                try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
            }
            try FileManager.default.copyItem(atPath: path, toPath: copy)
        } catch {
            throw LegacyMigrationError.cannotOpen(path: path, reason: "cannot copy it to read: \(error.localizedDescription)")
        }
        // Read-write on the private copy: only then does SQLite replay the copied -wal (a
        // read-only connection without a -shm would not); nothing is written but WAL recovery.
        var configuration = Configuration()
        configuration.label = "legacy-braindrive"
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: copy, configuration: configuration) } catch {
            throw LegacyMigrationError.cannotOpen(path: path, reason: "\(error)")
        }
        defer { try? queue.close() }
        do {
            return try queue.read { db in
                guard try db.tableExists("plugin") else { throw LegacyMigrationError.notBrainDrive(path: path) }
                let plugins = try Row.fetchAll(db, sql: "SELECT * FROM plugin ORDER BY user_id, plugin_slug, id").compactMap { row -> LegacyPlugin? in
                    guard let id = row.text("id"), let user = row.text("user_id"), let slug = row.text("plugin_slug") else { return nil }
                    return LegacyPlugin(id: id, userID: user, slug: slug, name: row.text("name"), version: row.text("version"),
                                        description: row.text("description"), author: row.text("author"), scope: row.text("scope"),
                                        bundleLocation: row.text("bundle_location"), dependencies: row.text("dependencies"),
                                        enabled: row.flag("enabled") ?? true)
                }
                var modules: [LegacyModule] = []
                if try db.tableExists("module") {
                    let sql = try db.columns(in: "module").contains(where: { $0.name == "priority" })
                        ? "SELECT * FROM module ORDER BY plugin_id, priority, id" : "SELECT * FROM module ORDER BY plugin_id, id"
                    modules = try Row.fetchAll(db, sql: sql).compactMap { row -> LegacyModule? in
                        guard let id = row.text("id"), let plugin = row.text("plugin_id") else { return nil }
                        return LegacyModule(id: id, pluginID: plugin, name: row.text("name"), displayName: row.text("display_name"),
                                            description: row.text("description"), icon: row.text("icon"), category: row.text("category"),
                                            priority: row.integer("priority"), props: row.text("props"),
                                            configFields: row.text("config_fields"), requiredServices: row.text("required_services"),
                                            layout: row.text("layout"), tags: row.text("tags"),
                                            enabled: row.flag("enabled") ?? true)
                    }
                }
                var other: [String: Int] = [:]
                for table in unownedTables where try db.tableExists(table) {
                    other[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(table)\"") ?? 0
                }
                return LegacySnapshot(plugins: plugins, modules: modules, otherReferences: other)
            }
        } catch let error as LegacyMigrationError {
            throw error
        } catch {
            throw LegacyMigrationError.cannotOpen(path: path, reason: "\(error)")
        }
    }
}

extension Row {
    /// The column as text whatever its storage class; nil when absent or NULL.
    func text(_ column: String) -> String? {
        guard hasColumn(column) else { return nil }
        let value: DatabaseValue = self[column]
        switch value.storage {
        case .null: return nil
        case .int64(let int): return String(int)
        case .double(let double): return String(double)
        case .string(let string): return string
        case .blob(let data): return String(data: data, encoding: .utf8)
        }
    }

    /// A SQLAlchemy Boolean (0/1), or text such as "false"/"true"; nil when NULL or unreadable.
    func flag(_ column: String) -> Bool? {
        if let number = integer(column) { return number != 0 }
        switch text(column)?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true"?, "t"?, "yes"?: return true
        case "false"?, "f"?, "no"?: return false
        default: return nil
        }
    }

    func integer(_ column: String) -> Int? {
        guard hasColumn(column) else { return nil }
        let value: DatabaseValue = self[column]
        switch value.storage {
        case .int64(let int): return Int(exactly: int)
        case .double(let double): return Int(exactly: double)
        case .string(let string): return Int(string.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }
}
