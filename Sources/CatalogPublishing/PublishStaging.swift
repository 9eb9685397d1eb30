#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

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
        (PosixTree.names(in: catalogRoot) ?? []).compactMap { name -> Folder? in
            guard let name, name.hasPrefix(prefix) else { return nil }
            let path = catalogRoot + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { return nil }
            #if canImport(Darwin)
            let seconds = st.st_mtimespec.tv_sec
            #else
            let seconds = st.st_mtim.tv_sec
            #endif
            return Folder(path: path, modified: Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
    }

    /// Removes the folders left by a killed publisher (older than `staleAge`); a concurrent
    /// publisher's folder is recent and left alone.
    static func removeStale(in catalogRoot: String, now: Date = Date()) {
        for folder in folders(in: catalogRoot) where now.timeIntervalSince(folder.modified) > staleAge {
            PosixTree.removeTree(folder.path)
        }
    }
}
