import PluginCatalog

/// Why an entry of a package (a file in a folder, a member of an archive) was refused before
/// anything reached the catalog.
package enum EntryRefusal: Sendable, Equatable, CustomStringConvertible {
    /// A symbolic link (with its target when the archive says it) or a hard link.
    case link(target: String?)
    /// A regular file of a folder package with other names on disk (`st_nlink` > 1): its bytes
    /// may be anything the publisher can read (`ln data/jwt-secret pkg/dist/x.js`), so it is
    /// refused like a link.
    case hardLink(links: Int)
    /// A name starting with `/`.
    case absolutePath
    /// A name with a `..` component.
    case parentComponent
    /// A device, FIFO, socket or any other entry that is neither a regular file nor a folder.
    case device(String)
    /// An empty name, a NUL, a backslash or a control character.
    case badName
    /// More than `CatalogLimits.maxFiles` files (or folders).
    case tooManyFiles(limit: Int)
    /// More than `CatalogLimits.maxPackageBytes` bytes once extracted.
    case tooLarge(limit: Int64)
    /// An archive member whose data runs past the uncompressed size its header declares.
    case exceedsDeclaredSize(declared: UInt64)

    package var description: String {
        switch self {
        case .link(let target?): "is a link (to \(String(reflecting: target))); a package holds only regular files and folders"
        case .link(nil): "is a link; a package holds only regular files and folders"
        case .hardLink(let links): "is a hard link (the file has \(links) names on disk); a package holds only files of its own: copy it instead of linking it"
        case .absolutePath: "is an absolute path"
        case .parentComponent: "has a '..' component (path traversal)"
        case .device(let what): "is \(what); a package holds only regular files and folders"
        case .badName: "has an empty name or a NUL, backslash or control character"
        case .tooManyFiles(let limit): "exceeds the limit of \(limit) files"
        case .tooLarge(let limit): "exceeds the limit of \(limit / 1_048_576) MiB"
        case .exceedsDeclaredSize(let declared): "holds more than the \(declared) bytes its header declares"
        }
    }
}

/// The errors of `PackagePublisher.publish`; every one leaves the catalog as it was.
package enum PublishError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source is not a folder, a `.tar.gz`/`.tgz` or a `.zip`, or it cannot be read as one.
    case unsupportedSource(path: String, reason: String)
    /// An entry of the package refused before extraction (archives) or while copying (folders).
    case entryRefused(entry: String, reason: EntryRefusal)
    /// The staged package failed `CatalogIndex.validatePackage`; the problem names the file,
    /// relative to the package, and the `plugin.json` field.
    case invalidPackage(CatalogProblem)
    /// `catalog/{slug}/{version}` (or a version of equal precedence) exists: never overwritten.
    case versionAlreadyPublished(slug: PluginSlug, version: SemanticVersion, existing: String)
    /// The package folder holds the catalog (the data directory or a parent of the catalog):
    /// refused before anything is copied, as the copy would take in the catalog itself.
    case sourceContainsCatalog(source: String, catalog: String)
    /// A file-system operation failed (message names the operation and path, not secrets).
    case io(String)

    package var description: String {
        switch self {
        case .unsupportedSource(let path, let reason):
            "unsupported package source \(String(reflecting: path)): \(reason) (expected a folder, a .tar.gz/.tgz or a .zip)"
        case .entryRefused(let entry, let reason):
            "archive entry \(Self.quoted(entry)) refused: \(reason)"
        case .invalidPackage(let problem):
            "invalid package: \(problem)"
        case .versionAlreadyPublished(let slug, let version, let existing):
            "version \(version) of '\(slug)' is already published (\(existing)); a published version is never overwritten, publish a new version"
        case .sourceContainsCatalog(let source, let catalog):
            "the package folder \(String(reflecting: source)) contains the catalog \(String(reflecting: catalog)); publish the package's own folder"
        case .io(let message):
            "I/O error: \(message)"
        }
    }

    static func quoted(_ raw: String) -> String {
        let cut = raw.count > 120 ? String(raw.prefix(120)) + "…" : raw
        return String(reflecting: cut)
    }
}
