import Foundation
import LifecycleStore
import PluginCatalog
import Posix

/// What every operation shares: reading its input, classifying its errors, taking its leases, placing a copy, the rows and audit event it commits.
extension LifecycleService {
    /// Canonicalises and validates a slug as it came in a URL or a command line.
    package static func slug(_ raw: String) throws(LifecycleError) -> PluginSlug {
        do { return try PluginSlug(raw) } catch { throw .invalidSlug(raw) }
    }

    package static func version(_ raw: String) throws(LifecycleError) -> SemanticVersion {
        guard let version = SemanticVersion(raw) else { throw .invalidVersion(raw) }
        return version
    }

    /// Runs `body`, turning whatever it throws into a ``LifecycleError``.
    func classified<T>(_ body: () throws -> T) throws(LifecycleError) -> T {
        do { return try body() } catch { throw LifecycleError(classifying: error) }
    }

    func resolve(_ slug: PluginSlug, _ version: SemanticVersion?, in index: CatalogIndex) throws(LifecycleError) -> CatalogPackage {
        guard let entry = index.entry(slug) else { throw .pluginNotFound(slug: slug.value) }
        guard let version else { return entry.latest }
        guard let package = entry.package(version) else {
            throw .versionNotFound(slug: slug.value, version: version.description)
        }
        return package
    }

    /// A read-only mount or wrong owner is an operator problem: say so before touching anything.
    func requireWritableStorage() throws {
        if !directory.isWritable() {
            throw LifecycleError.storageUnavailable(reason: "plugins or staging folder not writable")
        }
    }

    /// Runs `body` holding the leases of every slug (taken in order; each rolls its own part back on failure).
    func withOperations<T>(on slugs: [String], user: UserID, kind: String, _ body: ([Operation]) throws -> T) throws -> T {
        guard let first = slugs.first else { return try body([]) }
        return try runner.run(user: user, slug: first, kind: kind) { operation in
            try withOperations(on: Array(slugs.dropFirst()), user: user, kind: kind) { rest in
                try body([operation] + rest)
            }
        }
    }

    /// Stages a full copy of `package` with its metadata file, then renames it onto the user's
    /// folder, moving any previous copy aside into the operation's staging folder. Returns the rows
    /// to commit. Nothing here is visible to the database until the caller commits.
    /// Before each step that moves a folder, the lease must still be ours (``Operation/requireLease()``).
    func placeCopy(of package: CatalogPackage, for operation: Operation, previous: InstalledPlugin?) throws -> InstalledPlugin {
        try operation.requireLease()
        var copied = try PackageCopier.copy(package, to: operation.newFolder)
        // One instant for the file and the row: the metadata file must repeat the row's
        // installed_at exactly, and a repair or update never moves it.
        let installedAt = previous?.plugin.installedAt ?? Timestamp.now()
        let metadata = PluginMetadataFile(
            pluginID: pluginID(operation.user, package.slug.value), pluginSlug: package.slug.value,
            userID: operation.user.value, version: package.version.description,
            installedAt: installedAt, operationID: operation.id,
            files: Dictionary(uniqueKeysWithValues: copied.map { ($0.path, $0.sha256) }))
        let metadataPath = operation.newFolder + "/" + PluginMetadataFile.fileName
        // A package may not ship its own metadata file: ours replaces it.
        if FileTree.exists(metadataPath) {
            try FileTree.removeTree(metadataPath)
            copied.removeAll { $0.path == PluginMetadataFile.fileName }
        }
        try FileTree.writeFile(metadataPath, try metadata.encoded())
        if let digest = LinkFreeFolders.digest(metadataPath) {
            copied.append(CopiedFile(path: PluginMetadataFile.fileName, size: digest.size, sha256: digest.sha256))
        }
        try FileTree.syncDirectory(operation.newFolder)
        FaultPoint.hit("\(operation.kind).staged")

        let userFolder = directory.userFolder(operation.user)
        try FileTree.makeDirectories(userFolder, linkedFolders: .followed)
        try operation.requireLease()
        if FileTree.exists(operation.target) {
            try FileTree.rename(operation.target, operation.oldFolder)
            FaultPoint.hit("\(operation.kind).old-moved")
        }
        try operation.requireLease()
        do {
            try FileTree.rename(operation.newFolder, operation.target)
        } catch {
            // Another plugin's uninstall removed the then-empty user folder: make it again, once.
            guard error.code == ENOENT else { throw error }
            try FileTree.makeDirectories(userFolder, linkedFolders: .followed)
            try FileTree.rename(operation.newFolder, operation.target)
        }
        try FileTree.syncDirectory(userFolder)
        FaultPoint.hit("\(operation.kind).after-swap")
        // The caller commits next: a lease lost meanwhile stops it here (the commit's fence would too).
        try operation.requireLease()
        return rows(for: package, user: operation.user, operationID: operation.id, files: copied,
                    installedAt: installedAt)
    }

    func pluginID(_ user: UserID, _ slug: String) -> String { "\(user.value)_\(slug)" }

    /// The rows that describe `package` installed for `user`. The store keeps an existing row's
    /// `installed_at` whatever is passed here.
    func rows(for package: CatalogPackage, user: UserID, operationID: String, files: [CopiedFile],
              installedAt: String? = nil) -> InstalledPlugin {
        let now = Timestamp.now()
        let id = pluginID(user, package.slug.value)
        let manifest = package.manifest
        let plugin = PluginRow(
            id: id, userID: user.value, pluginSlug: package.slug.value, name: manifest.name,
            version: package.version.description, description: manifest.description, author: manifest.author,
            scope: manifest.scope, bundleLocation: manifest.bundleLocation,
            manifestJSON: JSONText.encode(package.manifestJSON) ?? "{}", operationID: operationID,
            installedAt: installedAt ?? now, updatedAt: now)
        let modules = manifest.modules.map { module in
            ModuleRow(id: "\(id)_\(module.name)", pluginID: id, userID: user.value, name: module.name,
                      displayName: module.displayName, description: module.description, icon: module.icon,
                      category: module.category, priority: module.priority,
                      props: module.props.flatMap(JSONText.encode), configFields: module.configFields.flatMap(JSONText.encode),
                      requiredServices: module.requiredServices.flatMap(JSONText.encode),
                      layout: module.layout.flatMap(JSONText.encode),
                      tags: module.tags.flatMap { JSONText.encode(.array($0.map { .string($0) })) },
                      createdAt: now, updatedAt: now)
        }
        let fileRows = files.map { InstalledFileRow(pluginID: id, path: $0.path, size: $0.size, sha256: $0.sha256) }
        return InstalledPlugin(plugin: plugin, modules: modules, files: fileRows)
    }

    func audit(_ context: OperationContext, _ user: UserID, _ slug: String, _ action: String,
               from: String?, to: String?) -> AuditEventRow {
        AuditEventRow(at: Timestamp.now(), actor: context.actor, userID: user.value, pluginSlug: slug,
                      action: action, fromVersion: from, toVersion: to, outcome: "success",
                      requestID: context.requestID)
    }
}
