import Foundation
import Posix

/// The layout of the data directory. Users' folders hold installed copies and nothing else;
/// staging lives beside them on the same file system so that renames are atomic.
package struct DataDirectory: Sendable {
    package let root: String

    package init(root: String) {
        // Keep paths absolute so a worker started elsewhere resolves the same folders.
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = (absolute as NSString).standardizingPath
    }

    package var databasePath: String { root + "/lifecycle.sqlite" }
    package var pluginsRoot: String { root + "/plugins" }
    package var stagingRoot: String { root + "/staging" }
    package var defaultCatalogRoot: String { root + "/catalog" }
    package var defaultSecretPath: String { root + "/jwt-secret" }
    /// This host's run state (`serve`'s default socket and pid file, the counter files):
    /// `run/`, or `run/<host>/` when the operator named the host (``LeaseSettings/namesStaging``),
    /// so pools sharing the directory never remove or overwrite each other's.
    package func runFolder(_ leases: LeaseSettings) -> String {
        leases.namesStaging ? root + "/run/" + leases.host : root + "/run"
    }
    /// The workers' shared counter files (``Telemetry``), beside the default socket.
    package func metricsRoot(_ leases: LeaseSettings) -> String { runFolder(leases) + "/metrics" }

    /// Only ever called with a validated user id and canonical slug.
    func userFolder(_ user: UserID) -> String { pluginsRoot + "/" + user.value }
    func pluginFolder(_ user: UserID, _ slug: String) -> String { userFolder(user) + "/" + slug }
    /// Relative form for responses: never an absolute path.
    static func relativePluginFolder(_ user: UserID, _ slug: String) -> String { "plugins/\(user.value)/\(slug)" }
    /// `name`: the operation id, behind `<host>~` when hosts are named (``LeaseSettings``).
    func stagingFolder(_ name: String) -> String { stagingRoot + "/" + name }

    /// Creates the folders (0750 root, 0755 inside) and refuses a world-writable root.
    package func prepare() throws {
        try FileTree.makeDirectories(root, mode: 0o750, linkedFolders: .followed)
        let status = FileTree.status(root, followingLinks: true)
        guard status.kind != .missing else { throw SystemCallError("stat", root) }
        if status.permissions & S_IWOTH != 0 {
            throw LifecycleError.storageUnavailable(reason: "data directory \(root) is world-writable; refusing to use it")
        }
        try FileTree.makeDirectories(pluginsRoot, mode: 0o755, linkedFolders: .followed)
        try FileTree.makeDirectories(stagingRoot, mode: 0o700, linkedFolders: .followed)
    }

    /// Whether the plugin folders can be written (for a plain 503 instead of an opaque failure).
    func isWritable() -> Bool {
        access(pluginsRoot, W_OK | X_OK) == 0 && access(stagingRoot, W_OK | X_OK) == 0
    }
}
