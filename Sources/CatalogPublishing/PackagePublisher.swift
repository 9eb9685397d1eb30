#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PluginCatalog
import Posix

/// Adds a package to the catalog as a new version: `catalog/{slug}/{version}/`.
///
/// The source (a folder, a `.tar.gz`/`.tgz` or a `.zip`) is copied or extracted into a private
/// staging folder inside the catalog root (`PublishStaging`: the catalog loader skips dot-entries,
/// and it sits on the same file system, so the final rename is atomic), checked entry by entry,
/// normalised (files 0644, folders 0755, each file fsynced), validated with
/// `CatalogIndex.validatePackage`, then renamed into place. A version already published (or one
/// of equal SemVer precedence, `1.0.0+b` next to `1.0.0`) is never overwritten. On every
/// failure the staging folder is removed and the catalog is left as it was.
///
/// ```swift
/// let package = try PackagePublisher(catalogRoot: URL(fileURLWithPath: "/srv/catalog"))
///     .publish(from: URL(fileURLWithPath: "chat-1.1.0.tgz"))
/// package.directory   // /srv/catalog/braindrive-chat/1.1.0
/// ```
package struct PackagePublisher: Sendable {
    package let catalogRoot: URL

    package init(catalogRoot: URL) {
        self.catalogRoot = catalogRoot
    }

    enum SourceKind { case folder, zip, tarGz }

    package func publish(from source: URL) throws(PublishError) -> CatalogPackage {
        let sourcePath = source.standardizedFileURL.path
        let kind = try Self.kind(of: sourcePath)
        let root = catalogRoot.standardizedFileURL.path
        if kind == .folder { try Self.refuseIfHoldsCatalog(source: sourcePath, catalog: root) }
        switch FileTree.status(root, followingLinks: true).kind {
        case .directory: break
        case .missing: try PublishFiles.makeFolder(root, existingOK: true)
        default: throw .io("the catalog \(root) is not a folder")
        }

        PublishStaging.removeStale(in: root)
        let staging = root + "/" + PublishStaging.prefix + Self.randomToken()
        try PublishFiles.makeFolder(staging, mode: 0o700, existingOK: false)
        // The catalog root is the operator's and may be a link; nothing below it is followed.
        defer { try? FileTree.removeTree(staging, trusting: root) }
        let extracted = staging + "/package"
        try PublishFiles.makeFolder(extracted, existingOK: false)

        switch kind {
        case .folder: try Self.copyFolder(sourcePath, into: extracted)
        case .zip: try ZipExtractor.extract(URL(fileURLWithPath: sourcePath), into: extracted)
        case .tarGz: try TarExtractor.extract(URL(fileURLWithPath: sourcePath), into: extracted, scratch: staging)
        }
        try Self.normalise(extracted)
        let packageDirectory = Self.packageRoot(extracted)

        let staged: CatalogPackage
        do {
            staged = try CatalogIndex.validatePackage(at: URL(fileURLWithPath: packageDirectory), expectedSlug: nil, expectedVersion: nil)
        } catch {
            throw .invalidPackage(Self.relativeProblem(error, packageDirectory: packageDirectory))
        }
        let target = try place(staged, from: packageDirectory, root: root)
        return CatalogPackage(slug: staged.slug, version: staged.version, manifest: staged.manifest,
                              manifestJSON: staged.manifestJSON, dependencies: staged.dependencies,
                              directory: URL(fileURLWithPath: target, isDirectory: true), files: staged.files)
    }

    // MARK: - Source

    static func kind(of path: String) throws(PublishError) -> SourceKind {
        switch FileTree.status(path, followingLinks: true).kind {
        case .directory: return .folder
        case .regular:
            let name = (path as NSString).lastPathComponent.lowercased()
            if name.hasSuffix(".zip") { return .zip }
            if name.hasSuffix(".tar.gz") || name.hasSuffix(".tgz") { return .tarGz }
            throw .unsupportedSource(path: path, reason: "unknown file type")
        case .missing: throw .unsupportedSource(path: path, reason: "does not exist")
        default: throw .unsupportedSource(path: path, reason: "is not a regular file or a folder")
        }
    }

    /// A folder holding the catalog (the data directory, a parent, the catalog itself) would be
    /// copied into its own staging folder; refused before the catalog is even created. Links are
    /// resolved on both sides, and a catalog still to be created is placed by its nearest
    /// existing parent.
    static func refuseIfHoldsCatalog(source: String, catalog: String) throws(PublishError) {
        let folder = FileTree.resolved(source)
        let resolvedCatalog = FileTree.resolved(catalog)
        if resolvedCatalog == folder || resolvedCatalog.hasPrefix(folder == "/" ? "/" : folder + "/") {
            throw .sourceContainsCatalog(source: folder, catalog: resolvedCatalog)
        }
    }

    /// Copies a package folder: `lstat` on every entry, links (symbolic or hard) and special files
    /// refused, files read through `O_NOFOLLOW`, counted and sized against `CatalogLimits` while
    /// copying (nesting depth is left to the validator, which names the folder).
    static func copyFolder(_ source: String, into destination: String) throws(PublishError) {
        var files = 0
        var folders = 0
        var bytes: Int64 = 0
        var pending = [""]
        while let relative = pending.popLast() {
            let from = relative.isEmpty ? source : source + "/" + relative
            let names = try PublishFiles.io("cannot list \(from)") { () throws(SystemCallError) in try FileTree.names(in: from) }
            for name in names {
                guard let name else { throw .entryRefused(entry: relative + "/?", reason: .badName) }
                let path = relative.isEmpty ? name : relative + "/" + name
                _ = try EntryPath.components(path)
                let kind = FileTree.kind(source + "/" + path)
                switch kind {
                case .directory:
                    folders += 1
                    if folders > CatalogLimits.maxFiles {
                        throw .entryRefused(entry: path, reason: .tooManyFiles(limit: CatalogLimits.maxFiles))
                    }
                    try PublishFiles.makeFolder(destination + "/" + path, existingOK: false)
                    pending.append(path)
                case .regular:
                    files += 1
                    if files > CatalogLimits.maxFiles { throw .entryRefused(entry: path, reason: .tooManyFiles(limit: CatalogLimits.maxFiles)) }
                    try copyFile(from: source + "/" + path, to: destination + "/" + path, entry: path, total: &bytes)
                case .symlink:
                    throw .entryRefused(entry: path, reason: .link(target: FileTree.readLink(source + "/" + path)))
                case .fifo, .socket, .characterDevice, .blockDevice, .unknown:
                    throw .entryRefused(entry: path, reason: .device(kind.article))
                case .missing:
                    throw .io("\(source)/\(path) vanished while it was copied")
                }
            }
        }
    }

    private static func copyFile(from: String, to: String, entry: String, total: inout Int64) throws(PublishError) {
        let input = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard input >= 0 else {
            let code = errno
            if code == ELOOP { throw .entryRefused(entry: entry, reason: .link(target: FileTree.readLink(from))) }
            throw .io("cannot read \(from): \(SystemCallError("open", from, code: code).reason)")
        }
        defer { close(input) }
        var st = stat()
        guard fstat(input, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw .entryRefused(entry: entry, reason: .device("no longer a regular file"))
        }
        // Another name for the same bytes (`ln data/jwt-secret pkg/dist/x.js`): refused, as the
        // file may be anything this process can read. Checked on the open descriptor: no race.
        if st.st_nlink > 1 { throw .entryRefused(entry: entry, reason: .hardLink(links: Int(st.st_nlink))) }
        // The size the file declares is held against the cap before a byte is copied: a sparse
        // multi-GiB file costs nothing to make and would fill staging up to the cap. The bytes
        // read are still counted below, should the file grow.
        if total + Int64(st.st_size) > CatalogLimits.maxPackageBytes {
            throw .entryRefused(entry: entry, reason: .tooLarge(limit: CatalogLimits.maxPackageBytes))
        }
        let output = try PublishFiles.createFile(to)
        defer { close(output) }
        // Stops once past the cap, should the file have grown since its size was checked.
        let copy = try PublishFiles.io { () throws(SystemCallError) in
            try FileTree.copyContents(from: input, to: output, limit: CatalogLimits.maxPackageBytes - total, paths: (from, to))
        }
        total += copy.size
        if total > CatalogLimits.maxPackageBytes {
            throw .entryRefused(entry: entry, reason: .tooLarge(limit: CatalogLimits.maxPackageBytes))
        }
    }

    // MARK: - Staged tree

    /// Second guard after extraction, whatever the source: walks the staged tree with `lstat`
    /// (never following a link), refuses anything but regular files (with one name) and folders, sets folders
    /// 0755 (before descending) and files 0644, and fsyncs every file.
    static func normalise(_ base: String) throws(PublishError) {
        chmod(base, 0o755)
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? base : base + "/" + relative
            let names = try PublishFiles.io("cannot list \(directory)") { () throws(SystemCallError) in try FileTree.names(in: directory) }
            for name in names {
                guard let name else { throw .entryRefused(entry: relative + "/?", reason: .badName) }
                let path = relative.isEmpty ? name : relative + "/" + name
                let absolute = base + "/" + path
                let status = FileTree.status(absolute)
                switch status.kind {
                case .directory:
                    try setMode(absolute, 0o755)
                    pending.append(path)
                case .regular:
                    if status.links > 1 { throw .entryRefused(entry: path, reason: .hardLink(links: status.links)) }
                    try setMode(absolute, 0o644)
                    try PublishFiles.io("cannot fsync \(absolute)") { () throws(SystemCallError) in try FileTree.syncFile(absolute) }
                case .symlink: throw .entryRefused(entry: path, reason: .link(target: FileTree.readLink(absolute)))
                case .fifo, .socket, .characterDevice, .blockDevice, .unknown:
                    throw .entryRefused(entry: path, reason: .device(status.kind.article))
                case .missing: throw .io("\(absolute) vanished while it was staged")
                }
            }
            try? FileTree.syncDirectory(directory)
        }
    }

    private static func setMode(_ path: String, _ mode: mode_t) throws(PublishError) {
        guard chmod(path, mode) == 0 else { throw .io("cannot set the mode of \(path): \(SystemCallError("chmod", path).reason)") }
    }

    /// The package is the extracted root when it holds `plugin.json`, or else its single
    /// top-level folder (`chat-1.1.0/plugin.json`); otherwise the root, and the validator says
    /// what is missing.
    static func packageRoot(_ extracted: String) -> String {
        guard let names = try? FileTree.names(in: extracted), !names.contains("plugin.json"), names.count == 1,
              let only = names[0], FileTree.kind(extracted + "/" + only) == .directory
        else { return extracted }
        return extracted + "/" + only
    }

    /// The validator names files `{parent}/{folder}/…` from the staged path; name them relative
    /// to the package instead (`plugin.json`, `dist/remoteEntry.js`).
    static func relativeProblem(_ error: CatalogError, packageDirectory: String) -> CatalogProblem {
        guard case .invalidPackage(let problem) = error else { return CatalogProblem(file: ".", message: error.description) }
        let label = URL(fileURLWithPath: packageDirectory).standardizedFileURL.pathComponents.suffix(2).joined(separator: "/")
        var file = problem.file
        if file == label { file = "." } else if file.hasPrefix(label + "/") { file = String(file.dropFirst(label.count + 1)) }
        return CatalogProblem(file: file, field: problem.field, message: problem.message)
    }

    // MARK: - Into place

    /// Renames the staged folder to `catalog/{slug folder}/{version}`; the slug folder is an
    /// existing one whose name canonicalises to the slug (`braindrive-chat`), else the canonical
    /// slug. Returns the final path.
    func place(_ package: CatalogPackage, from staged: String, root: String) throws(PublishError) -> String {
        let slug = package.slug
        let version = package.version
        let rootNames = try PublishFiles.io("cannot list the catalog \(root)") { () throws(SystemCallError) in try FileTree.names(in: root) }
        let slugFolders = rootNames.compactMap { $0 }.filter { name in
            !name.hasPrefix(".") && (try? PluginSlug(name)) == slug && FileTree.kind(root + "/" + name) == .directory
        }
        for folder in slugFolders {
            for case let name? in (try? FileTree.names(in: root + "/" + folder)) ?? [] where !name.hasPrefix(".") {
                if let existing = SemanticVersion(name), existing.comparePrecedence(version) == 0 {
                    throw .versionAlreadyPublished(slug: slug, version: version, existing: folder + "/" + name)
                }
            }
        }
        let slugFolder = slugFolders.first(where: { $0 == slug.value }) ?? slugFolders.first ?? slug.value
        let slugPath = root + "/" + slugFolder
        if slugFolders.isEmpty {
            try PublishFiles.makeFolder(slugPath, existingOK: true)
            try? FileTree.syncDirectory(root)
        }
        let target = slugPath + "/" + version.description
        if FileTree.kind(target) != .missing {
            throw .versionAlreadyPublished(slug: slug, version: version, existing: slugFolder + "/" + version.description)
        }
        // rename(2) refuses a non-empty target (EEXIST/ENOTEMPTY): a concurrent publisher that
        // got there first wins, and this one reports the version as published.
        do throws(SystemCallError) {
            try FileTree.rename(staged, target)
        } catch let error where error.code == EEXIST || error.code == ENOTEMPTY {
            throw .versionAlreadyPublished(slug: slug, version: version, existing: slugFolder + "/" + version.description)
        } catch {
            throw .io("cannot move the package into \(target): \(error.reason)")
        }
        try? FileTree.syncDirectory(slugPath)
        try? FileTree.syncDirectory(root)
        return target
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
