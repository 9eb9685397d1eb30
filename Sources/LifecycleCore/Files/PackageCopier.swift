import Foundation
import PluginCatalog
import Posix

/// Copies a catalog package into a staging folder: real copies (never links), files 0644 and
/// folders 0755 whatever the package says, each copy hashed and fsynced (in batches) before the
/// copy returns. A reflink where the file system offers one (`FileTree.copyFile`).
struct PackageCopier {
    /// Copies every file of `package` under `destination` (created) and returns what was written.
    static func copy(_ package: CatalogPackage, to destination: String) throws -> [CopiedFile] {
        try FileTree.makeDirectories(destination, linkedFolders: .followed)
        var made: Set<String> = [destination]
        var copied: [CopiedFile] = []
        copied.reserveCapacity(package.files.count)
        var unsynced = SyncBatch()
        defer { unsynced.closeAll() }
        let source = package.directory.path
        for file in package.files {
            let target = destination + "/" + file.path
            let folder = (target as NSString).deletingLastPathComponent
            if !made.contains(folder) {
                try FileTree.makeDirectories(folder, linkedFolders: .followed)
                made.insert(folder)
            }
            try FileTree.copyFile(from: source + "/" + file.path, to: target, mode: 0o644, syncingIn: &unsynced)
            // Hashed as written, so the digest vouches for the copy. The catalog changed under us
            // (a republish in place): refuse rather than record a lie.
            guard let written = FileDigest.sha256(target) else { throw SystemCallError("read", target) }
            if written.sha256 != file.sha256 {
                throw LifecycleError.invalidPackage("'\(file.path)' changed while it was being installed")
            }
            copied.append(CopiedFile(path: file.path, size: written.size, sha256: written.sha256))
        }
        try unsynced.syncAll()
        for folder in made.sorted(by: { $0.count > $1.count }) { try FileTree.syncDirectory(folder) }
        return copied
    }
}

struct CopiedFile: Sendable, Equatable {
    let path: String
    let size: Int64
    let sha256: String
}
