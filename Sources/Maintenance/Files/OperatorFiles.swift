import Foundation
import Posix

/// The operator commands' two file conventions on top of Posix, their failures as ``MaintenanceError``.
enum OperatorFiles {
    /// Creates `path` with exactly `mode` (new parents 0755); a link to a folder is used as one
    /// (an operator may link the data directory). Not synced here: each tree is synced once complete.
    static func makeFolder(_ path: String, mode: mode_t) throws(MaintenanceError) {
        do throws(SystemCallError) {
            try FileTree.makeDirectories(path, mode: mode, parentMode: 0o755, linkedFolders: .followed, syncsParent: false)
        } catch {
            throw MaintenanceError(error)
        }
    }

    /// Writes `value` as JSON to `folder/name` durably: a temporary file, fsynced, renamed over
    /// the name, the folder synced. A reader sees the old file or the whole new one.
    static func writeJSON(_ value: some Encodable, to folder: String, name: String) throws(MaintenanceError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let path = folder + "/" + name
        let temporary = path + ".tmp"
        do {
            try encoder.encode(value).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw .fileSystem(operation: "write", path: temporary, reason: "\(error)")
        }
        do throws(SystemCallError) {
            try FileTree.syncFile(temporary)
            try FileTree.rename(temporary, path)
            try FileTree.syncDirectory(folder)
        } catch {
            throw MaintenanceError(error)
        }
    }
}
