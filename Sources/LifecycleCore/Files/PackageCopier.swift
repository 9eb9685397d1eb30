import Crypto
import Foundation
import PluginCatalog

/// Copies a catalog package into a staging folder: real copies (never links), files 0644 and
/// folders 0755 whatever the package says, each file hashed while copied and fsynced.
struct PackageCopier {
    /// Copies every file of `package` under `destination` (created) and returns what was written.
    static func copy(_ package: CatalogPackage, to destination: String) throws -> [CopiedFile] {
        try FileTree.makeDirectories(destination)
        var made: Set<String> = [destination]
        var copied: [CopiedFile] = []
        copied.reserveCapacity(package.files.count)
        let source = package.directory.path
        for file in package.files {
            let target = destination + "/" + file.path
            let folder = (target as NSString).deletingLastPathComponent
            if !made.contains(folder) {
                try FileTree.makeDirectories(folder)
                made.insert(folder)
            }
            let written = try copyFile(from: source + "/" + file.path, to: target)
            // The catalog changed under us (a republish in place): refuse rather than record a lie.
            if written.sha256 != file.sha256 {
                throw LifecycleError.invalidPackage("'\(file.path)' changed while it was being installed")
            }
            copied.append(CopiedFile(path: file.path, size: written.size, sha256: written.sha256))
        }
        for folder in made.sorted(by: { $0.count > $1.count }) { try FileTree.syncDirectory(folder) }
        return copied
    }

    private static func copyFile(from source: String, to target: String) throws -> (size: Int64, sha256: String) {
        let input = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else { throw FileSystemError("open", source) }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard output >= 0 else { throw FileSystemError("create", target) }
        defer { close(output) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 128 * 1024)
        var total: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; throw FileSystemError("read", source) }
            if count == 0 { break }
            hasher.update(data: buffer[0..<count])
            try FileTree.writeAll(output, buffer[0..<count], path: target)
            total += Int64(count)
        }
        if fchmod(output, 0o644) != 0 { throw FileSystemError("chmod", target) }
        if fsync(output) != 0 { throw FileSystemError("fsync", target) }
        return (total, hasher.finalize().hexString)
    }
}

struct CopiedFile: Sendable, Equatable {
    let path: String
    let size: Int64
    let sha256: String
}
