import Foundation
import PluginCatalog
import Posix

/// BrainDrive's plugins folder, indexed by canonical slug: `shared/{slug}/v{version}/` (current)
/// and `{slug}/` (older installs). Only read, never written.
struct LegacyFolders {
    let root: String
    /// Canonical slug → folder names under `shared/`, as spelled on disk.
    private let shared: [PluginSlug: [String]]
    /// Canonical slug → folder names directly under the root (older layout).
    private let topLevel: [PluginSlug: [String]]

    init(root: String) {
        self.root = (root as NSString).standardizingPath
        shared = Self.index(self.root + "/shared", excluding: [])
        topLevel = Self.index(self.root, excluding: ["shared"])
    }

    private static func index(_ folder: String, excluding: Set<String>) -> [PluginSlug: [String]] {
        var result: [PluginSlug: [String]] = [:]
        for name in (try? FileTree.entries(folder)) ?? [] {
            guard !excluding.contains(name), !name.hasPrefix("."), FileTree.isDirectory(folder + "/" + name),
                  let slug = try? PluginSlug(name) else { continue }
            result[slug, default: []].append(name)
        }
        return result.mapValues { $0.sorted() }
    }

    struct Located {
        /// Absolute path of the version folder.
        var path: String
        /// Relative to the plugins folder, for the report.
        var relative: String
    }

    /// Finds the folder holding `version` of the first of `slugs` that has one (the row's own
    /// slug normalised, then the catalog's), reporting spelling differences, ambiguous spellings
    /// and version folders whose string order differs from SemVer order.
    func locate(slugs: [PluginSlug], legacySlug: String, version: SemanticVersion, rawVersion: String,
                report: (MigrationReport.Defect.Kind, String) -> Void) -> Located? {
        guard let slug = slugs.first(where: { shared[$0] != nil || topLevel[$0] != nil }) else {
            report(.missingFolder, "no folder for '\(legacySlug)' under shared/ or the plugins folder")
            return nil
        }
        for (base, prefix, candidates) in [(root + "/shared", "shared/", shared[slug] ?? []), (root, "", topLevel[slug] ?? [])] {
            guard !candidates.isEmpty else { continue }
            let name = candidates.contains(legacySlug) ? legacySlug : candidates[0]
            if candidates.count > 1 {
                report(.ambiguousFolder, "folders \(candidates.map { prefix + $0 }.joined(separator: ", ")) all name '\(slug)'; using \(prefix + name)")
            }
            if name != legacySlug {
                report(.slugSpelling, "row slug '\(legacySlug)' is spelled '\(name)' on disk (\(prefix)\(name))")
            }
            let slugFolder = base + "/" + name
            let versions = versionFolders(slugFolder)
            checkOrder(versions, folder: prefix + name, report: report)
            let exact = "v" + rawVersion
            if let match = versions.first(where: { $0.name == exact }) ?? versions.first(where: { $0.version == version }) {
                return Located(path: slugFolder + "/" + match.name, relative: prefix + name + "/" + match.name)
            }
            if prefix.isEmpty && versions.isEmpty {
                // Older layout: the files sit directly in plugins/{slug}/.
                return Located(path: slugFolder, relative: name)
            }
            let present = versions.sorted { $0.version < $1.version }.map(\.name)
            report(.missingFolder, "no folder for version \(rawVersion) in \(prefix)\(name) (present: \(present.isEmpty ? "none" : present.joined(separator: ", ")))")
        }
        return nil
    }

    private struct VersionFolder { var name: String; var version: SemanticVersion }

    private func versionFolders(_ folder: String) -> [VersionFolder] {
        ((try? FileTree.entries(folder)) ?? []).compactMap { name in
            guard FileTree.isDirectory(folder + "/" + name) else { return nil }
            let text = name.hasPrefix("v") || name.hasPrefix("V") ? String(name.dropFirst()) : name
            return SemanticVersion(text).map { VersionFolder(name: name, version: $0) }
        }
    }

    private func checkOrder(_ versions: [VersionFolder], folder: String, report: (MigrationReport.Defect.Kind, String) -> Void) {
        let byString = versions.map(\.name).sorted()
        let byVersion = versions.sorted { $0.version < $1.version }.map(\.name)
        if byString != byVersion {
            report(.versionOrder, "version folders of \(folder) sort differently as strings (\(byString.joined(separator: ", "))) "
                   + "and as versions (\(byVersion.joined(separator: ", "))); the row's version is used, never the last by name")
        }
    }

    /// Folders and files that are not the package, left out at any depth as BrainDrive's own copy
    /// leaves them out: dependencies, version control, Python caches, npm's lock file.
    static let excludedFolders: Set<String> = ["node_modules", ".git", "__pycache__", ".metadata"]
    static let excludedFiles: Set<String> = ["package-lock.json"]
    static let excludedExtensions = [".pyc"]

    static func isExcludedFile(_ name: String) -> Bool {
        excludedFiles.contains(name) || excludedExtensions.contains(where: name.hasSuffix)
    }

    /// Every regular file under `folder`, recursively, hashed; symlinks and special files are
    /// reported and left out, as are a top-level `plugin_metadata.json` and what is not the
    /// package (`excludedFolders`, `excludedFiles`, `excludedExtensions`).
    static func files(in folder: String, report: (MigrationReport.Defect.Kind, String) -> Void) -> [PackageFile] {
        var result: [PackageFile] = []
        walk(folder, relative: "", into: &result, report: report)
        return result.sorted { $0.path < $1.path }
    }

    private static func walk(_ folder: String, relative: String, into result: inout [PackageFile],
                             report: (MigrationReport.Defect.Kind, String) -> Void) {
        guard let names = try? FileTree.entries(folder) else {
            report(.unreadableFile, "cannot list \(relative.isEmpty ? "." : relative)")
            return
        }
        for name in names.sorted() {
            let path = folder + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            // By name whatever the kind: a `.git` file (worktree) or a linked node_modules is not the package either.
            if excludedFolders.contains(name) || isExcludedFile(name) { continue }
            switch FileTree.kind(path) {
            case .missing:
                report(.unreadableFile, "cannot stat \(rel)")
            case .directory:
                walk(path, relative: rel, into: &result, report: report)
            case .regular:
                if relative.isEmpty && name == "plugin_metadata.json" { continue }
                guard let digest = sha256(path) else { report(.unreadableFile, "cannot read \(rel)"); continue }
                result.append(PackageFile(path: rel, size: digest.size, sha256: digest.hex))
            case .symlink:
                report(.skippedFile, "\(rel) is a symbolic link; not copied")
            default:
                report(.skippedFile, "\(rel) is not a regular file; not copied")
            }
        }
    }

    static func sha256(_ path: String) -> (size: Int64, hex: String)? {
        FileDigest.sha256(path).map { ($0.size, $0.sha256) }
    }
}
