import Foundation

/// Copies a folder tree as the service lays it out: regular files 0644 (or `fileMode`), folders
/// 0755, every file fsynced. Links and special files are never followed or copied: they are
/// returned, relative to `from`, for the caller to report.
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

    private func copyFolder(_ from: String, _ to: String, relative: String, into result: inout Result) throws(MaintenanceError) {
        try Disk.makeDirectory(to, mode: folderMode)
        for name in try Disk.entries(from) where !(skipsHiddenNames && name.hasPrefix(".")) {
            let path = relative.isEmpty ? name : relative + "/" + name
            switch Disk.kind(from + "/" + name) {
            case .file:
                result.files[path] = try Disk.copyFile(from + "/" + name, to + "/" + name, mode: fileMode)
            case .directory:
                try copyFolder(from + "/" + name, to + "/" + name, relative: path, into: &result)
            case .missing:
                continue  // removed while we listed: the caller's verification decides whether that matters
            case .link, .other:
                result.skipped.append(path)
            }
        }
        try Disk.syncDirectory(to)
    }
}
