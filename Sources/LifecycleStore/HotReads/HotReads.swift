/// The reads of the hot routes (status, installed, available, files, health), whatever the store:
/// SQLite's C-API ``HotReader``, or PostgreSQL's ``PostgresHotReader`` (one statement per read).
/// ``LifecycleDatabase`` itself runs the same reads through its engine's read transactions: the
/// generic path, which the tests hold both readers to. A request makes one call through this protocol.
package protocol HotReads: Sendable {
    /// The (user, plugin) lease and what status needs of the committed plugin, in one snapshot.
    func leaseAndHealthRows(userID: String, slug: String) throws -> (lease: OperationLease?, plugin: PluginHealthRows?)
    /// The caller's leases and the health rows of each of the caller's plugins, by slug, in one snapshot.
    func leasesAndHealthRows(userID: String) throws -> (leases: [OperationLease], plugins: [PluginHealthRows])
    /// The (user, plugin) lease, the plugin's state and one of its file rows, in one snapshot.
    func leaseAndFileRows(userID: String, slug: String, path: String) throws -> (lease: OperationLease?, plugin: PluginFileRows?)
    /// Installed versions of the caller's plugins, keyed by slug.
    func installedVersions(userID: String) throws -> [String: String]
    /// Liveness for `health`: a read that touches the schema.
    func ping() throws
    /// Closes the reads' connections; a later read opens anew.
    func close()
}

extension HotReader: HotReads {}
extension LifecycleDatabase: HotReads {}
