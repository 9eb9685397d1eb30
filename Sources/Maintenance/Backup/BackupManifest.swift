import Foundation

/// `manifest.json` of a backup folder: written last, so a folder without it is an unfinished backup.
package struct BackupManifest: Codable, Sendable, Equatable {
    package static let fileName = "manifest.json"
    package static let format = "plugin-lifecycle-backup"
    /// Bump when the layout changes; `restore` refuses versions it does not know.
    package static let currentFormatVersion = 1

    package struct DatabaseFile: Codable, Sendable, Equatable {
        package var file: String
        package var size: Int64
        package var sha256: String
        package var migrations: [String]
    }

    package struct Counts: Codable, Sendable, Equatable {
        package var users: Int
        package var plugins: Int
        /// Plugin folders copied (a plugin whose folder was already gone has a row and no folder).
        package var folders: Int
        package var files: Int
        package var bytes: Int64
    }

    package var format: String
    package var formatVersion: Int
    package var createdAt: String
    package var sourceDataDirectory: String
    package var database: DatabaseFile
    package var counts: Counts
    /// Whether `jwt-secret` and `catalog/` are in the backup (they are when they live in the data directory).
    package var includesSecret: Bool
    package var includesCatalog: Bool
    /// Users whose plugins changed while the backup ran: they are in it as of the moment it
    /// reached them (rows and folders together), the others as of its start.
    package var usersTakenLater: [String]
    /// `user/slug` of plugins whose files already differed from their rows when copied: the
    /// backup keeps them as they were; `repair` fixes them after a restore.
    package var damagedAtBackup: [String]
    /// Links and special files found in plugin folders and left out (`user/slug/path`).
    package var skipped: [String]

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
