import Foundation

/// `manifest.json` of a backup folder: written last, so a folder without it is an unfinished backup.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let fileName = "manifest.json"
    public static let format = "plugin-lifecycle-backup"
    /// Bump when the layout changes; `restore` refuses versions it does not know.
    public static let currentFormatVersion = 1

    public struct DatabaseFile: Codable, Sendable, Equatable {
        public var file: String
        public var size: Int64
        public var sha256: String
        public var migrations: [String]
    }

    public struct Counts: Codable, Sendable, Equatable {
        public var users: Int
        public var plugins: Int
        /// Plugin folders copied (a plugin whose folder was already gone has a row and no folder).
        public var folders: Int
        public var files: Int
        public var bytes: Int64
    }

    public var format: String
    public var formatVersion: Int
    public var createdAt: String
    public var sourceDataDirectory: String
    public var database: DatabaseFile
    public var counts: Counts
    /// Whether `jwt-secret` and `catalog/` are in the backup (they are when they live in the data directory).
    public var includesSecret: Bool
    public var includesCatalog: Bool
    /// Users whose plugins changed while the backup ran: they are in it as of the moment it
    /// reached them (rows and folders together), the others as of its start.
    public var usersTakenLater: [String]
    /// `user/slug` of plugins whose files already differed from their rows when copied: the
    /// backup keeps them as they were; `repair` fixes them after a restore.
    public var damagedAtBackup: [String]
    /// Links and special files found in plugin folders and left out (`user/slug/path`).
    public var skipped: [String]

    enum CodingKeys: String, CodingKey {
        case format, database, counts, skipped
        case formatVersion = "format_version", createdAt = "created_at", sourceDataDirectory = "source_data_directory"
        case includesSecret = "includes_secret", includesCatalog = "includes_catalog", damagedAtBackup = "damaged_at_backup"
        case usersTakenLater = "users_taken_later"
    }

    static func read(from folder: String) throws(MaintenanceError) -> BackupManifest {
        guard let data = FileManager.default.contents(atPath: folder + "/" + fileName) else { throw .notABackup(folder) }
        // The version is read first so a newer layout is refused by name, not as undecodable.
        struct Header: Decodable { var format: String; var format_version: Int }
        guard let header = try? JSONDecoder().decode(Header.self, from: data), header.format == format else { throw .notABackup(folder) }
        guard header.format_version <= currentFormatVersion else { throw .unsupportedFormat(version: header.format_version) }
        do { return try JSONDecoder().decode(BackupManifest.self, from: data) } catch { throw .notABackup(folder) }
    }

    func write(to folder: String) throws(MaintenanceError) {
        try OperatorFiles.writeJSON(self, to: folder, name: Self.fileName)
    }
}
