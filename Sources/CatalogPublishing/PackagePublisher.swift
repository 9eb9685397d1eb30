#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PluginCatalog

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
        switch PosixTree.followedKind(root) {
        case .directory: break
        case .missing: try PosixTree.makeDirectory(root, existingOK: true)
        default: throw .io("the catalog \(root) is not a folder")
        }

        PublishStaging.removeStale(in: root)
        let staging = root + "/" + PublishStaging.prefix + Self.randomToken()
        try PosixTree.makeDirectory(staging, mode: 0o700, existingOK: false)
        defer { PosixTree.removeTree(staging) }
        let extracted = staging + "/package"
        try PosixTree.makeDirectory(extracted, existingOK: false)

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
        switch PosixTree.followedKind(path) {
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
        let folder = PosixTree.resolved(source)
        let resolvedCatalog = PosixTree.resolved(catalog)
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
            guard let names = PosixTree.names(in: from) else { throw .io("cannot list \(from): \(PosixTree.errorText())") }
            for name in names {
                guard let name else { throw .entryRefused(entry: relative + "/?", reason: .badName) }
                let path = relative.isEmpty ? name : relative + "/" + name
                _ = try EntryPath.components(path)
                let kind = PosixTree.kind(source + "/" + path).kind
                switch kind {
                case .directory:
                    folders += 1
                    if folders > CatalogLimits.maxFiles {
                        throw .entryRefused(entry: path, reason: .tooManyFiles(limit: CatalogLimits.maxFiles))
                    }
                    try PosixTree.makeDirectory(destination + "/" + path, existingOK: false)
                    pending.append(path)
                case .regular:
                    files += 1
                    if files > CatalogLimits.maxFiles { throw .entryRefused(entry: path, reason: .tooManyFiles(limit: CatalogLimits.maxFiles)) }
                    try copyFile(from: source + "/" + path, to: destination + "/" + path, entry: path, total: &bytes)
                case .symlink:
                    throw .entryRefused(entry: path, reason: .link(target: PosixTree.readLink(source + "/" + path)))
                case .other(let what):
                    throw .entryRefused(entry: path, reason: .device(what))
                case .missing:
                    throw .io("\(source)/\(path) vanished while it was copied")
                }
            }
        }
    }

    private static func copyFile(from: String, to: String, entry: String, total: inout Int64) throws(PublishError) {
        let input = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard input >= 0 else {
            if errno == ELOOP { throw .entryRefused(entry: entry, reason: .link(target: PosixTree.readLink(from))) }
            throw .io("cannot read \(from): \(PosixTree.errorText())")
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
        let output = try PosixTree.createFile(to)
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("cannot read \(from): \(PosixTree.errorText())")
            }
            if count == 0 { break }
            total += Int64(count)
            if total > CatalogLimits.maxPackageBytes {
                throw .entryRefused(entry: entry, reason: .tooLarge(limit: CatalogLimits.maxPackageBytes))
            }
            let ok = buffer.withUnsafeBytes { PosixTree.writeAll(output, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            guard ok else { throw .io("cannot write \(to): \(PosixTree.errorText())") }
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
            guard let names = PosixTree.names(in: directory) else { throw .io("cannot list \(directory): \(PosixTree.errorText())") }
            for name in names {
                guard let name else { throw .entryRefused(entry: relative + "/?", reason: .badName) }
                let path = relative.isEmpty ? name : relative + "/" + name
                let absolute = base + "/" + path
                let status = PosixTree.kind(absolute)
                switch status.kind {
                case .directory:
                    guard chmod(absolute, 0o755) == 0 else { throw .io("cannot set the mode of \(absolute): \(PosixTree.errorText())") }
                    pending.append(path)
                case .regular:
                    if status.links > 1 { throw .entryRefused(entry: path, reason: .hardLink(links: status.links)) }
                    guard chmod(absolute, 0o644) == 0 else { throw .io("cannot set the mode of \(absolute): \(PosixTree.errorText())") }
                    guard PosixTree.sync(absolute, directory: false) else { throw .io("cannot fsync \(absolute): \(PosixTree.errorText())") }
                case .symlink: throw .entryRefused(entry: path, reason: .link(target: PosixTree.readLink(absolute)))
                case .other(let what): throw .entryRefused(entry: path, reason: .device(what))
                case .missing: throw .io("\(absolute) vanished while it was staged")
                }
            }
            PosixTree.sync(directory, directory: true)
        }
    }

    /// The package is the extracted root when it holds `plugin.json`, or else its single
    /// top-level folder (`chat-1.1.0/plugin.json`); otherwise the root, and the validator says
    /// what is missing.
    static func packageRoot(_ extracted: String) -> String {
        guard let names = PosixTree.names(in: extracted), !names.contains("plugin.json"), names.count == 1,
              let only = names[0], PosixTree.kind(extracted + "/" + only).kind == .directory
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
        guard let rootNames = PosixTree.names(in: root) else { throw .io("cannot list the catalog \(root): \(PosixTree.errorText())") }
        let slugFolders = rootNames.compactMap { $0 }.filter { name in
            !name.hasPrefix(".") && (try? PluginSlug(name)) == slug && PosixTree.kind(root + "/" + name).kind == .directory
        }
        for folder in slugFolders {
            for case let name? in PosixTree.names(in: root + "/" + folder) ?? [] where !name.hasPrefix(".") {
                if let existing = SemanticVersion(name), existing.comparePrecedence(version) == 0 {
                    throw .versionAlreadyPublished(slug: slug, version: version, existing: folder + "/" + name)
                }
            }
        }
        let slugFolder = slugFolders.first(where: { $0 == slug.value }) ?? slugFolders.first ?? slug.value
        let slugPath = root + "/" + slugFolder
        if slugFolders.isEmpty {
            try PosixTree.makeDirectory(slugPath, existingOK: true)
            PosixTree.sync(root, directory: true)
        }
        let target = slugPath + "/" + version.description
        if PosixTree.kind(target).kind != .missing {
            throw .versionAlreadyPublished(slug: slug, version: version, existing: slugFolder + "/" + version.description)
        }
        // rename(2) refuses a non-empty target (EEXIST/ENOTEMPTY): a concurrent publisher that
        // got there first wins, and this one reports the version as published.
        if rename(staged, target) != 0 {
            let code = errno
            if code == EEXIST || code == ENOTEMPTY {
                throw .versionAlreadyPublished(slug: slug, version: version, existing: slugFolder + "/" + version.description)
            }
            throw .io("cannot move the package into \(target): \(PosixTree.errorText(code))")
        }
        PosixTree.sync(slugPath, directory: true)
        PosixTree.sync(root, directory: true)
        return target
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
