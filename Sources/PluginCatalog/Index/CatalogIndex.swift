import Foundation
import Posix

/// The catalog folder, loaded once: `catalog/{slug}/{version}/plugin.json` plus files.
///
/// Loading walks, checks and hashes every package; a package that fails is skipped and recorded
/// in `problems`, so one bad package never takes the service down. A long-running worker keeps
/// the index and compares `quickSignature(root:)` to decide when to load again.
///
/// ```swift
/// let catalog = CatalogIndex.load(root: URL(filePath: "/srv/catalog"))
/// let slug = try PluginSlug("BrainDrive-Network")          // braindrive_network
/// catalog.package(slug, version: nil)?.version              // latest: 1.1.0
/// ```
package struct CatalogIndex: Sendable {
    package let root: URL
    /// Sorted by slug.
    package let entries: [CatalogEntry]
    package let problems: [CatalogProblem]
    /// SHA-256 (hex) over every package's slug, version and file hashes: changes when any
    /// manifest or file changes. Use it for ETags and cache invalidation.
    package let fingerprint: String

    private let positions: [PluginSlug: Int]

    package init(root: URL, entries: [CatalogEntry], problems: [CatalogProblem] = []) {
        self.root = root
        self.entries = entries.sorted { $0.slug < $1.slug }
        self.problems = problems
        var positions: [PluginSlug: Int] = [:]
        for (index, entry) in self.entries.enumerated() { positions[entry.slug] = index }
        self.positions = positions
        fingerprint = Digest.hex(of: self.entries.flatMap { entry in
            entry.versions.map { "\(entry.slug)\u{0}\($0.version)\u{0}\($0.digest)\n" }
        }.joined())
    }

    package func entry(_ slug: PluginSlug) -> CatalogEntry? { positions[slug].map { entries[$0] } }

    /// One version of a plugin; a nil version means `latest`.
    package func package(_ slug: PluginSlug, version: SemanticVersion?) -> CatalogPackage? {
        guard let entry = entry(slug) else { return nil }
        guard let version else { return entry.latest }
        return entry.package(version)
    }

    /// Strict validation of one package folder (used by `load` and by a `publish` command).
    /// Throws `.invalidPackage` naming the file, relative to the catalog root, and the field.
    /// Pass nil expectations when the folder's own name says nothing (e.g. a staging folder).
    package static func validatePackage(at directory: URL, expectedSlug: PluginSlug?,
                                       expectedVersion: SemanticVersion?) throws(CatalogError) -> CatalogPackage {
        try PackageValidator(directory: directory).validate(expectedSlug: expectedSlug, expectedVersion: expectedVersion)
    }

    /// Loads every `{slug}/{version}` folder under `root`. Names starting with `.` are skipped
    /// silently (room for a publisher's staging folder); anything else that is not a valid
    /// package is skipped and recorded in `problems`.
    package static func load(root: URL) -> CatalogIndex {
        let base = root.path
        var problems: [CatalogProblem] = []
        guard FileTree.status(base).kind == .directory, let slugNames = try? FileTree.names(in: base) else {
            return CatalogIndex(root: root, entries: [], problems: [CatalogProblem(file: ".", message: "the catalog folder cannot be read")])
        }
        var packages: [PluginSlug: [CatalogPackage]] = [:]
        for case let slugName? in slugNames where !slugName.hasPrefix(".") {
            guard FileTree.status(base + "/" + slugName).kind == .directory else {
                problems.append(CatalogProblem(file: slugName, message: "is not a plugin folder (a folder per slug is expected)"))
                continue
            }
            let slug: PluginSlug
            do { slug = try PluginSlug(slugName) } catch {
                problems.append(CatalogProblem(file: slugName, message: "folder name is not a valid slug"))
                continue
            }
            if slug.isReserved {
                problems.append(CatalogProblem(file: slugName, message: "'\(slug)' is a reserved word and cannot name a plugin"))
                continue
            }
            guard let versionNames = try? FileTree.names(in: base + "/" + slugName) else {
                problems.append(CatalogProblem(file: slugName, message: "cannot be listed"))
                continue
            }
            for case let versionName? in versionNames where !versionName.hasPrefix(".") {
                let file = slugName + "/" + versionName
                guard let version = SemanticVersion(versionName) else {
                    problems.append(CatalogProblem(file: file, message: "folder name is not a semantic version"))
                    continue
                }
                do {
                    let package = try validatePackage(at: root.appendingPathComponent(slugName).appendingPathComponent(versionName),
                                                      expectedSlug: slug, expectedVersion: version)
                    // `braindrive-network/1.0.0` and `braindrive_network/1.0.0` (or `1.0.0+b`) would be one version twice.
                    if let other = packages[slug, default: []].first(where: { $0.version.comparePrecedence(version) == 0 }) {
                        problems.append(CatalogProblem(file: file, message: "version \(version) of '\(slug)' is already provided by "
                                                       + other.directory.pathComponents.suffix(2).joined(separator: "/")))
                        continue
                    }
                    packages[slug, default: []].append(package)
                } catch {
                    if case .invalidPackage(let problem) = error { problems.append(problem) }
                    else { problems.append(CatalogProblem(file: file, message: error.description)) }
                }
            }
        }
        let entries = packages.map { CatalogEntry(slug: $0.key, versions: $0.value) }
        return CatalogIndex(root: root, entries: entries, problems: problems)
    }

    /// Cheap signature of the catalog folder: names and stat stamps (inode, size, mtime, ctime) of
    /// the root, each slug folder, each version folder and each `plugin.json`; no file is read.
    /// Adding, removing or renaming a version folder, or rewriting a `plugin.json`, changes it.
    /// An edit in place of another file deeper in a package does not: publish a version by
    /// renaming a complete folder into place (never edit a published version in place).
    package static func quickSignature(root: URL) -> String {
        let base = root.path
        var text = "root " + FileTree.status(base).stamp + "\n"
        for case let slugName? in (try? FileTree.names(in: base)) ?? [] where !slugName.hasPrefix(".") {
            let slugPath = base + "/" + slugName
            text += slugName + " " + FileTree.status(slugPath).stamp + "\n"
            for case let versionName? in (try? FileTree.names(in: slugPath)) ?? [] where !versionName.hasPrefix(".") {
                let versionPath = slugPath + "/" + versionName
                text += "  " + versionName + " " + FileTree.status(versionPath).stamp
                    + " " + FileTree.status(versionPath + "/plugin.json").stamp + "\n"
            }
        }
        return Digest.hex(of: text)
    }
}
