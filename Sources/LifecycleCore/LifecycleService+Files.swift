import LifecycleStore
import PluginCatalog
import Posix

/// One file of a user's installed copy, checked and ready to be sent by someone else (nginx): the
/// core never reads its bytes. `path` is the recorded row's, never the request's.
public struct ServedFile: Sendable, Equatable {
    public let path: String
    public let size: Int64
    /// The SHA-256 recorded at install (hex): the file's strong validator.
    public let sha256: String
    public let version: String
    /// The manifest's Module Federation container name and entry file, when it declares them.
    public let scope: String?
    public let bundleLocation: String?
}

/// The file route's check: may this user's copy of this plugin serve this file, and which one is it.
extension LifecycleService {
    /// Longest path a served file may have, in bytes (UTF-8).
    package static let maxServedPathBytes = 1_024

    /// A requested file path, checked with the rules a package's own paths follow (no leading `/`,
    /// no empty, `.` or `..` part, no `\` or control character), at most ``maxServedPathBytes``
    /// bytes and as deep as a package may nest (its folders, then the file's name).
    package static func servedPath(_ raw: String) throws(LifecycleError) -> String {
        guard raw.utf8.count <= maxServedPathBytes,
              raw.utf8.lazy.filter({ $0 == UInt8(ascii: "/") }).count < CatalogLimits.maxDepth + 1,
              let path = PackageValidator.relativePath(raw)
        else { throw .invalidPath(raw) }
        return path
    }

    /// The recorded file `rawPath` of the user's copy of `slug`, once the plugin is installed,
    /// enabled and under no operation, and the file is a regular file of the recorded size in the
    /// user's folder (no link anywhere on its way). One snapshot of the database and a few
    /// `fstatat` calls; the file's bytes are never read.
    package func servedFile(user: UserID, slug: PluginSlug, path rawPath: String) throws(LifecycleError) -> ServedFile {
        let path = try Self.servedPath(rawPath)
        // The installer writes it into every copy and records it; it is the service's, not the plugin's.
        guard path != CatalogLimits.installerMetadataFile else { throw .fileNotFound(slug: slug.value, path: path) }
        return try classified {
            var read = try database.hot.leaseAndFileRows(userID: user.value, slug: slug.value, path: path)
            // A dead operation's lease is rolled back first, as status does; a live one is answered 409.
            if try runner.recoverIfAbandoned(user: user, slug: slug.value, lease: read.lease) {
                read = try database.hot.leaseAndFileRows(userID: user.value, slug: slug.value, path: path)
            }
            if let lease = read.lease { throw LifecycleError.operationInProgress(slug: slug.value, operation: lease.operation) }
            guard let plugin = read.plugin else { throw LifecycleError.notInstalled(slug: slug.value) }
            guard plugin.enabled else { throw LifecycleError.pluginDisabled(slug: slug.value) }
            guard let file = plugin.file,
                  let size = FolderWalk(slug.value, in: directory.userFolder(user))?.regularFileSize(file.path)
            else { throw LifecycleError.fileNotFound(slug: slug.value, path: path) }
            guard size == file.size else { throw LifecycleError.fileDamaged(slug: slug.value, path: path) }
            return ServedFile(path: file.path, size: file.size, sha256: file.sha256, version: plugin.version,
                              scope: plugin.scope, bundleLocation: plugin.bundleLocation)
        }
    }
}
