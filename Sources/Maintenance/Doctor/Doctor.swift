import Foundation
import LifecycleCore
import LifecycleStore
import Logging
import TokenAuth

/// Checks a data directory without changing it: configuration, permissions, the database, the
/// catalog, and whether the rows and the folders agree. Each check says what to do about what it
/// finds; ``DoctorReport/exitCode`` is 1 when any finding is an error.
///
/// ```swift
/// let report = Doctor(dataDirectory: "/var/lib/plugins").run()
/// print(report.text)
/// ```
///
/// Read-only: the database is opened read-only (SQLite may still create its `-shm` index next to
/// the file, as any reader does), and the status check is the one `status` runs *without* the
/// rollback of abandoned operations it does first; an abandoned operation is reported instead.
package struct Doctor: Sendable {
    package let directory: DataDirectory
    package let catalogRoot: String
    package let secretPath: String
    package let bundleSecretPath: String
    /// The store: the data directory's SQLite file, or a PostgreSQL server (its own checks, ``PostgresChecks``).
    package let location: StoreLocation

    package init(dataDirectory: String, catalogRoot: String? = nil, secretPath: String? = nil, bundleSecretPath: String? = nil,
                 location: StoreLocation? = nil) {
        directory = DataDirectory(root: dataDirectory)
        self.location = location ?? .sqlite(path: directory.databasePath)
        self.catalogRoot = catalogRoot.map { DataDirectory(root: $0).root } ?? directory.defaultCatalogRoot
        self.secretPath = secretPath ?? directory.defaultSecretPath
        self.bundleSecretPath = bundleSecretPath ?? SecretPolicy.bundleSecretPath(dataDirectory: directory.root)
    }

    package func run() -> DoctorReport {
        var findings: [Finding] = []
        let layoutPresent = ConfigurationChecks(doctor: self).run(into: &findings)
        guard layoutPresent else { return DoctorReport(dataDirectory: directory.root, findings: findings) }
        PermissionChecks(doctor: self).run(into: &findings)
        let database = DatabaseChecks(doctor: self).run(into: &findings)
        let catalog = CatalogChecks(doctor: self).run(into: &findings)
        if let database {
            let service = LifecycleService(directory: directory, database: database, catalog: catalog,
                                           logger: Logger(label: "doctor") { _ in SwiftLogNoOpLogHandler() })
            AgreementChecks(doctor: self, service: service).run(into: &findings)
        }
        return DoctorReport(dataDirectory: directory.root, findings: findings)
    }

    /// A command line the operator can paste, aimed at this data directory.
    func command(_ arguments: String) -> String { "run " + cli(arguments) }

    var onPostgres: Bool {
        if case .postgres = location { return true }
        return false
    }

    func cli(_ arguments: String) -> String { "`plugin-lifecycle \(arguments) --data-dir \(directory.root)`" }
}
