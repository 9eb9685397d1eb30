import GRDBSQLite
import Posix
#if canImport(Glibc)
import Glibc
#endif

/// The reads of the hot routes (status, installed, available, health) through SQLite's C API,
/// without GRDB's read machinery (pool checkout, dispatch queue, savepoint) around each request.
///
/// Each thread that reads gets its own read-only connection, opened on its first read and kept
/// with its prepared statements until the database closes: in a worker, one per accept thread. A
/// multi-statement read runs between cached `BEGIN` and `COMMIT`, so it sees one committed state
/// (lease, plugin, modules, files). GRDB keeps the migrations, every write and every other read;
/// both read the same column lists (the records' `columns`) and decode them the same way.
///
/// A restore never swaps the file under an open connection: it refuses a database that any
/// connection holds open, these included (`LiveUse`). ``close()`` closes them all; a thread that
/// reads again afterwards opens a new connection, on whatever file is there then.
package final class HotReader: @unchecked Sendable {
    // @unchecked: a connection is only ever used by the thread it belongs to (its pointer is in
    // that thread's slot of `key`); the list of every connection is behind a lock.
    private let path: String
    private let busyMode: HotBusyMode
    private let requiredMigrations: Set<String>
    private let migrate: @Sendable () throws -> Void
    /// Each thread's connection for this reader, unretained (`connections` owns them).
    private let key: pthread_key_t
    private let connections = Locked<[HotConnection]>([])

    init(path: String, busyMode: HotBusyMode, requiredMigrations: [String], migrate: @escaping @Sendable () throws -> Void) throws(StoreError) {
        self.path = path; self.busyMode = busyMode; self.migrate = migrate
        self.requiredMigrations = Set(requiredMigrations)
        var key = pthread_key_t()
        guard pthread_key_create(&key, nil) == 0 else { throw .failed("pthread_key_create: no thread-specific key left") }
        self.key = key
    }

    deinit {
        close()
        pthread_key_delete(key)
    }

    /// Closes every thread's connection. Call it only when no thread is reading through this reader.
    package func close() {
        connections.withLock { for connection in $0 { connection.close() } }
    }

    /// This thread's connection, opened on its first use.
    private func connection() throws -> HotConnection {
        if let current = pthread_getspecific(key) {
            let connection = Unmanaged<HotConnection>.fromOpaque(current).takeUnretainedValue()
            if !connection.isClosed { return connection }
        }
        let connection = try HotConnection(path: path, busyMode: busyMode, schemaReady: requireMigrations)
        // Closed ones stay listed: a thread's slot may still point at one until it opens anew.
        connections.withLock { $0.append(connection) }
        pthread_setspecific(key, Unmanaged.passUnretained(connection).toOpaque())
        return connection
    }

    /// The hot statements need the current schema: a database not migrated yet is migrated
    /// (by GRDB, under its file lock) before they are prepared.
    private func requireMigrations(_ handle: OpaquePointer) throws {
        var statement: OpaquePointer?
        var applied: Set<String> = []
        // Fails without a migration table (a database never migrated): none applied.
        if sqlite3_prepare_v2(handle, "SELECT identifier FROM grdb_migrations", -1, &statement, nil) == SQLITE_OK, let statement {
            defer { sqlite3_finalize(statement) }
            while sqlite3_step(statement) == SQLITE_ROW {
                if let identifier = sqlite3_column_text(statement, 0) { applied.insert(String(cString: identifier)) }
            }
        }
        if !requiredMigrations.isSubset(of: applied) { try migrate() }
    }

    /// Runs `body` on this thread's connection in one read transaction.
    package func read<T>(_ body: (HotSnapshot) throws -> T) throws -> T {
        let connection = try connection()
        return try connection.snapshot { try body(HotSnapshot(connection: connection)) }
    }

    /// The (user, plugin) lease and what status needs of the committed plugin, in one snapshot.
    package func leaseAndHealthRows(userID: String, slug: String) throws -> (lease: OperationLease?, plugin: PluginHealthRows?) {
        try read { (try $0.lease(userID: userID, slug: slug), try $0.healthRows(userID: userID, slug: slug)) }
    }

    /// The caller's leases and what a health check needs of each of the caller's plugins, by slug, in one snapshot.
    package func leasesAndHealthRows(userID: String) throws -> (leases: [OperationLease], plugins: [PluginHealthRows]) {
        try read { (try $0.leases(userID: userID), try $0.healthRows(userID: userID)) }
    }

    /// The (user, plugin) lease, the plugin's state and one of its file rows, in one snapshot.
    package func leaseAndFileRows(userID: String, slug: String, path: String) throws -> (lease: OperationLease?, plugin: PluginFileRows?) {
        try read { (try $0.lease(userID: userID, slug: slug), try $0.fileRows(userID: userID, slug: slug, path: path)) }
    }

    /// Installed versions of the caller's plugins, keyed by slug (one statement: no transaction needed).
    package func installedVersions(userID: String) throws -> [String: String] {
        var versions: [String: String] = [:]
        try connection().versionsOfUser.run(userID) { versions[try $0.text(0)] = try $0.text(1) }
        return versions
    }

    /// Liveness for `health`: a read that touches the schema.
    package func ping() throws {
        try connection().ping.execute()
    }

    /// This thread's connection (opened if need be) and how its statements were used, for the tests.
    package func statistics() throws -> Statistics { try connection().statistics }

    package struct Statistics: Sendable, Equatable {
        /// The connection's address: two threads, two values.
        package var connection: UInt
        /// Statements prepared by the connection: all at open, none per request.
        package var prepared: Int
        /// Statements SQLite re-prepared by itself after a schema change.
        package var reprepared: Int
        /// Statement runs, `BEGIN` and `COMMIT` included.
        package var runs: Int
    }
}

/// The statements of one read transaction on a hot connection.
package struct HotSnapshot {
    let connection: HotConnection

    package func lease(userID: String, slug: String) throws -> OperationLease? {
        var lease: OperationLease?
        try connection.leaseOfPlugin.run(userID, slug) { lease = try OperationLease(columns: $0) }
        return lease
    }

    package func leases(userID: String) throws -> [OperationLease] {
        var leases: [OperationLease] = []
        try connection.leasesOfUser.run(userID) { leases.append(try OperationLease(columns: $0)) }
        return leases
    }

    /// One plugin's health rows; its modules and files are found by its id.
    package func healthRows(userID: String, slug: String) throws -> PluginHealthRows? {
        var health = HealthRowsBuilder()
        try connection.pluginHealth.run(userID, slug) { try health.addPlugin($0) }
        guard let pluginID = health.plugins.first?.pluginID else { return nil }
        try connection.moduleNamesOfPlugin.run(pluginID) { try health.addModule($0) }
        try connection.fileSizesOfPlugin.run(pluginID) { try health.addFile($0) }
        return health.plugins[0]
    }

    /// One plugin's state and its row for `path`, found by the plugin's id.
    package func fileRows(userID: String, slug: String, path: String) throws -> PluginFileRows? {
        var plugin: PluginFileRows?
        try connection.pluginToServe.run(userID, slug) { plugin = try PluginFileRows(plugin: $0) }
        guard var found = plugin else { return nil }
        try connection.fileOfPlugin.run(found.pluginID, path) { found.file = try InstalledFileRow(columns: $0, pluginID: found.pluginID) }
        return found
    }

    /// Every plugin of the user, by slug; modules and files joined on the owner.
    package func healthRows(userID: String) throws -> [PluginHealthRows] {
        var health = HealthRowsBuilder()
        try connection.pluginHealthOfUser.run(userID) { try health.addPlugin($0) }
        if health.plugins.isEmpty { return [] }
        try connection.modulesOfUser.run(userID) { try health.addModule($0) }
        try connection.filesOfUser.run(userID) { try health.addFile($0) }
        return health.plugins
    }
}
