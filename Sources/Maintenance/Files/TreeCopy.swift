import Foundation
import PluginCatalog
import Posix

/// Copies a folder tree as the service lays it out: regular files 0644 (or `fileMode`), folders
/// 0755, every file fsynced (`FileTree.copyFile`: a reflink where the file system offers one).
/// Links and special files are never followed or copied: they are returned, relative to `from`,
/// for the caller to report.
struct TreeCopy {
    var fileMode: mode_t = 0o644
    var folderMode: mode_t = 0o755
    /// Names skipped at every level (e.g. a publisher's hidden staging folders in the catalog).
    var skipsHiddenNames = false

    struct Result {
        /// Relative path → (size, SHA-256) of what was written.
        var files: [String: (size: Int64, sha256: String)] = [:]
        var skipped: [String] = []
        var bytes: Int64 { files.values.reduce(0) { $0 + $1.size } }
    }

    func copy(_ from: String, to destination: String) throws(MaintenanceError) -> Result {
        var result = Result()
        try copyFolder(from, destination, relative: "", into: &result)
        return result
    }

    /// Copies a regular file with exactly `mode`, fsynced, and returns its size and SHA-256, read
    /// back from the copy so the digest vouches for the copy, not for a source that changed after.
    @discardableResult
    static func copyFile(_ from: String, _ to: String, mode: mode_t) throws(MaintenanceError) -> (size: Int64, sha256: String) {
        do throws(SystemCallError) {
            try FileTree.copyFile(from: from, to: to, mode: mode)
        } catch {
            throw MaintenanceError(error)
        }
        guard let written = FileDigest.sha256(to) else { throw MaintenanceError(SystemCallError("read", to)) }
        return written
    }

    private func copyFolder(_ from: String, _ to: String, relative: String, into result: inout Result) throws(MaintenanceError) {
        try OperatorFiles.makeFolder(to, mode: folderMode)
        let names: [String]
        do throws(SystemCallError) { names = try FileTree.entries(from) } catch { throw MaintenanceError(error) }
        for name in names where !(skipsHiddenNames && name.hasPrefix(".")) {
            let path = relative.isEmpty ? name : relative + "/" + name
            switch FileTree.kind(from + "/" + name) {
            case .regular:
                result.files[path] = try Self.copyFile(from + "/" + name, to + "/" + name, mode: fileMode)
            case .directory:
                try copyFolder(from + "/" + name, to + "/" + name, relative: path, into: &result)
            case .missing:
                continue  // removed while we listed: the caller's verification decides whether that matters
            default:
                result.skipped.append(path)
            }
        }
        do throws(SystemCallError) { try FileTree.syncDirectory(to) } catch { throw MaintenanceError(error) }
    }
}
