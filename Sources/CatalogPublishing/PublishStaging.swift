import Foundation
import Posix

/// The private folders `publish` stages a package in, inside the catalog root (`.publish-…`:
/// the catalog loader skips dot-entries). A publisher killed mid-way leaves its folder behind;
/// the next publish removes it once stale, and `doctor` reports it meanwhile.
package enum PublishStaging {
    package static let prefix = ".publish-"
    /// A staging folder untouched for this long belongs to a publisher that was killed.
    package static let staleAge: TimeInterval = 3600

    package struct Folder: Sendable, Equatable {
        package let path: String
        package let modified: Date
    }

    /// The staging folders in `catalogRoot` (folders only, never through a link), by name.
    package static func folders(in catalogRoot: String) -> [Folder] {
        ((try? FileTree.names(in: catalogRoot)) ?? []).compactMap { name -> Folder? in
            guard let name, name.hasPrefix(prefix) else { return nil }
            let path = catalogRoot + "/" + name
            let status = FileTree.status(path)
            guard status.kind == .directory else { return nil }
            return Folder(path: path, modified: Date(timeIntervalSince1970: TimeInterval(status.modified.tv_sec)))
        }
    }

    /// Removes the folders left by a killed publisher (older than `staleAge`); a concurrent
    /// publisher's folder is recent and left alone.
    static func removeStale(in catalogRoot: String, now: Date = Date()) {
        for folder in folders(in: catalogRoot) where now.timeIntervalSince(folder.modified) > staleAge {
            try? FileTree.removeTree(folder.path, trusting: catalogRoot)
        }
    }
}
