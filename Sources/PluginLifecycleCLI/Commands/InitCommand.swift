import ArgumentParser
import Foundation
import LifecycleCore
import TokenAuth

/// Creates a data directory: folders, migrated database, generated secrets (HS256 tokens, bundle URLs; once each), the catalog.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create or update a data directory (idempotent).")
    @OptionGroup var data: DataOptions
    @Option(help: "Copy this catalog folder into DATA_DIR/catalog if that does not exist yet.") var sampleCatalog: String?

    func run() throws {
        let service = try data.openService(logger: makeLogger(level: .warning))
        let directory = service.directory
        // Each key its own file, made once: an existing one is never replaced.
        if try SecretPolicy.createSecret(path: directory.defaultSecretPath) {
            print("generated an HS256 secret in \(directory.defaultSecretPath)")
        }
        let bundleSecretPath = SecretPolicy.bundleSecretPath(dataDirectory: directory.root)
        if try SecretPolicy.createSecret(path: bundleSecretPath) {
            print("generated a bundle URL secret in \(bundleSecretPath)")
        }
        let catalogRoot = data.catalog ?? directory.defaultCatalogRoot
        if let source = sampleCatalog, !FileManager.default.fileExists(atPath: catalogRoot) {
            try Self.copyOwned(from: source, to: catalogRoot)
            print("copied the sample catalog into \(catalogRoot)")
        }
        // A fresh look: the service's catalog was read before the copy (and is re-read only now and then).
        let available = try data.openService(logger: makeLogger(level: .warning)).available()
        print("data directory \(directory.root) ready: \(available.totalCount) plugins in the catalog")
    }

    /// Copies a folder as files of the caller: FileManager.copyItem also copies the owner, which a
    /// service user cannot do for a root-owned sample catalog (EPERM). Symlinks are refused.
    static func copyOwned(from source: String, to destination: String) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: destination, withIntermediateDirectories: true)
        for name in try files.contentsOfDirectory(atPath: source).sorted() {
            let from = source + "/" + name, to = destination + "/" + name
            let type = try files.attributesOfItem(atPath: from)[.type] as? FileAttributeType
            switch type {
            case .typeDirectory?: try copyOwned(from: from, to: to)
            case .typeRegular?:
                guard files.createFile(atPath: to, contents: try Data(contentsOf: URL(fileURLWithPath: from))) else {
                    throw ValidationError("cannot write \(to)")
                }
            default: throw ValidationError("\(from) is not a plain file or folder; the catalog holds only those")
            }
        }
    }
}
