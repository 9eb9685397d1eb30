import Foundation

/// `restore.json` in a `.restore-ID-previous/` folder: written before anything is moved, so the
/// folder always says which entries it holds and whether the restore finished. `doctor` turns it
/// into the commands that put those entries back.
package struct RestoreRecord: Codable, Sendable, Equatable {
    package static let fileName = "restore.json"

    package enum State: String, Codable, Sendable {
        /// The swap began: some of `entries` may still be in the data directory.
        case swapping
        /// The restored data opened and passed its checks; the folder is the data before it, kept until removed.
        case completed
    }

    package var state: State
    /// The backup that was restored.
    package var source: String
    /// Entry names of the data directory moved into this folder, in the order they were moved.
    package var entries: [String]

    /// The record of a `.restore-ID-previous/` folder, if it has a readable one.
    package static func read(_ folder: String) -> RestoreRecord? {
        guard let data = FileManager.default.contents(atPath: folder + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(RestoreRecord.self, from: data)
    }

    func write(to folder: String) throws(MaintenanceError) {
        try OperatorFiles.writeJSON(self, to: folder, name: Self.fileName)
    }

    /// Shell commands that put the entries back into `dataDirectory`, after moving what replaced
    /// them (and any `-wal`/`-shm` beside the database) into a `-replaced` folder (removed again
    /// when nothing had to go there). Run with the pool stopped.
    ///
    /// `entries` are those still in the folder; `recorded`, the record's list. A `-wal` the record
    /// lists but the swap had not moved yet belongs to the previous database and stays; one it
    /// does not list was made beside the restored database after the swap, and goes.
    package static func putBackCommands(folder: String, entries: [String], recorded: [String], dataDirectory: String) -> [String] {
        let replaced = String(folder.dropLast("-previous".count)) + "-replaced"
        var current = entries
        if entries.contains("lifecycle.sqlite") {
            current += BackupRestorer.databaseCompanions.filter { !recorded.contains($0) }
        }
        var commands = ["mkdir -p \(replaced)"]
        for name in current {
            commands.append("if [ -e \(dataDirectory)/\(name) ]; then mv \(dataDirectory)/\(name) \(replaced)/; fi")
        }
        for name in entries { commands.append("mv \(folder)/\(name) \(dataDirectory)/\(name)") }
        commands.append("rm -f \(folder)/\(fileName) && rmdir \(folder)")
        commands.append("rmdir --ignore-fail-on-non-empty \(replaced)")
        return commands
    }
}
