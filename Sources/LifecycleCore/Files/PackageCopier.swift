import Foundation
import PluginCatalog
import Posix

/// Copies a catalog package into a staging folder: real copies (never links), files 0644 and
/// folders 0755 whatever the package says, each copy hashed and fsynced (in batches) before the
/// copy returns. A reflink where the file system offers one (`FileTree.copyFile`).
struct PackageCopier {
    /// Copies every file of `package` under `destination` (created; its parent must exist) and
    /// returns what was written. Folders are made one level at a time, never with `mkdir -p`: the
    /// destination is inside an operation's staging folder, and once a taker has moved that folder
    /// away (the fence, docs/scale-out.md) every create here must fail rather than make it anew.
    static func copy(_ package: CatalogPackage, to destination: String) throws -> [CopiedFile] {
        try FileTree.makeDirectory(destination)
        var made: Set<String> = [destination]
        var copied: [CopiedFile] = []
        copied.reserveCapacity(package.files.count)
        var unsynced = SyncBatch()
        defer { unsynced.closeAll() }
        let source = package.directory.path
        for file in package.files {
            let target = destination + "/" + file.path
            let folder = (target as NSString).deletingLastPathComponent
            if !made.contains(folder) { try makeFolder(folder, under: destination, made: &made) }
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

    /// Makes `folder` and any missing folders between it and `root` (made already), parents first.
    private static func makeFolder(_ folder: String, under root: String, made: inout Set<String>) throws {
        let parent = (folder as NSString).deletingLastPathComponent
        if !made.contains(parent), parent.count > root.count { try makeFolder(parent, under: root, made: &made) }
        try FileTree.makeDirectory(folder)
        made.insert(folder)
    }
}

struct CopiedFile: Sendable, Equatable {
    let path: String
    let size: Int64
    let sha256: String
}
