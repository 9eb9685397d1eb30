import Foundation
import Posix

/// Strict validation of one package folder; `CatalogIndex.validatePackage` is its public face.
/// Every failure names the file (relative to the catalog root) and, for `plugin.json`, the field.
package struct PackageValidator {
    let directory: URL
    /// `{slug folder}/{version folder}`: how files are named in problems.
    let label: String

    init(directory: URL) {
        self.directory = directory
        label = directory.standardizedFileURL.pathComponents.suffix(2).joined(separator: "/")
    }

    private func fail(_ file: String?, _ message: String) -> CatalogError { fail(file, nil, message) }

    private func fail(_ file: String?, _ field: String?, _ message: String) -> CatalogError {
        .invalidPackage(CatalogProblem(file: file.map { "\(label)/\($0)" } ?? label, field: field, message: message))
    }

    func validate(expectedSlug: PluginSlug?, expectedVersion: SemanticVersion?) throws(CatalogError) -> CatalogPackage {
        let base = directory.path
        guard FileTree.status(base).kind == .directory else { throw fail(nil, "is not a directory") }

        let listed = try walk(base)
        guard listed.contains(where: { $0.path == "plugin.json" }) else { throw fail("plugin.json", "is missing") }

        // plugin.json: read once, decode, check; hash the very bytes that were decoded.
        let manifestFile: PackageFile
        let bytes: [UInt8]
        switch FileDigest.hash(base + "/plugin.json", keep: true, limit: CatalogLimits.maxManifestBytes) {
        case .success(let read):
            manifestFile = PackageFile(path: "plugin.json", size: read.size, sha256: read.sha256)
            bytes = read.bytes
        case .failure(.tooLarge): throw fail("plugin.json", "is larger than \(CatalogLimits.maxManifestBytes) bytes")
        case .failure: throw fail("plugin.json", "cannot be read")
        }
        let json: JSONValue
        let manifest: PluginManifest
        do throws(ManifestReader.FieldError) {
            json = try ManifestReader.parse(Data(bytes))
            manifest = try ManifestReader.manifest(json)
        } catch {
            throw fail("plugin.json", error.field, error.message)
        }

        let (slug, version, dependencies) = try check(manifest, expectedSlug: expectedSlug, expectedVersion: expectedVersion,
                                                      files: Set(listed.map(\.path)))

        var files = [manifestFile]
        for entry in listed where entry.path != "plugin.json" {
            switch FileDigest.hash(base + "/" + entry.path, keep: false, limit: CatalogLimits.maxPackageBytes) {
            case .success(let read):
                guard read.size == entry.size else { throw fail(entry.path, "changed while the catalog was loading") }
                files.append(PackageFile(path: entry.path, size: read.size, sha256: read.sha256))
            case .failure:
                let stillRegular = FileTree.status(base + "/" + entry.path).kind == .regular
                throw fail(entry.path, stillRegular ? "cannot be read" : "is no longer a regular file")
            }
        }
        return CatalogPackage(slug: slug, version: version, manifest: manifest, manifestJSON: json,
                              dependencies: dependencies, directory: directory, files: files)
    }

    // MARK: - Manifest rules

    private func check(_ m: PluginManifest, expectedSlug: PluginSlug?, expectedVersion: SemanticVersion?,
                       files: Set<String>) throws(CatalogError) -> (PluginSlug, SemanticVersion, [PluginSlug: VersionRange]) {
        let file = "plugin.json"
        let slug: PluginSlug
        do { slug = try PluginSlug(m.slug) } catch {
            throw fail(file, "slug", "\(CatalogError.quoted(m.slug)) is not a valid slug (letters, digits, '-' or '_', at most 64)")
        }
        if slug.isReserved { throw fail(file, "slug", "'\(slug)' is a reserved word and cannot name a plugin") }
        if let expectedSlug, slug != expectedSlug {
            throw fail(file, "slug", "'\(m.slug)' does not match the folder's slug '\(expectedSlug)'")
        }
        let version: SemanticVersion
        do { version = try SemanticVersion(parsing: m.version) } catch {
            throw fail(file, "version", "\(CatalogError.quoted(m.version)) is not a semantic version (MAJOR.MINOR.PATCH)")
        }
        if let expectedVersion, version != expectedVersion {
            throw fail(file, "version", "'\(m.version)' does not match the folder's version '\(expectedVersion)'")
        }
        if m.name.allSatisfy(\.isWhitespace) { throw fail(file, "name", "must not be empty") }

        if m.modules.isEmpty { throw fail(file, "modules", "must list at least one module") }
        var seen: [String: Int] = [:]
        for (index, module) in m.modules.enumerated() {
            guard ModuleManifest.isValidName(module.name) else {
                throw fail(file, "modules[\(index)].name",
                           "\(CatalogError.quoted(module.name)) is not a valid module name (^[A-Za-z][A-Za-z0-9_]{0,63}$)")
            }
            // Case-insensitive: module ids and URLs must not depend on case to tell modules apart.
            if let first = seen[module.name.lowercased()] {
                throw fail(file, "modules[\(index)].name", "duplicate module name '\(module.name)' (also modules[\(first)])")
            }
            seen[module.name.lowercased()] = index
        }

        var dependencies: [PluginSlug: VersionRange] = [:]
        for key in m.dependencies.keys.sorted() {
            let field = "dependencies.\(key)"
            let dependency: PluginSlug
            do { dependency = try PluginSlug(key) } catch { throw fail(file, field, "\(CatalogError.quoted(key)) is not a valid slug") }
            if dependency == slug { throw fail(file, field, "a plugin cannot depend on itself") }
            if dependency.isReserved { throw fail(file, field, "'\(dependency)' is a reserved word, not a plugin") }
            if dependencies[dependency] != nil { throw fail(file, field, "'\(dependency)' is listed twice") }
            do { dependencies[dependency] = try VersionRange(m.dependencies[key]!) } catch {
                throw fail(file, field, "\(CatalogError.quoted(m.dependencies[key]!)) is not a version range")
            }
        }

        if let (index, message) = m.legacySlugsProblem() { throw fail(file, "legacy_slugs[\(index)]", message) }

        if let bundle = m.bundleLocation {
            guard let path = Self.relativePath(bundle) else {
                throw fail(file, "bundle_location", "\(CatalogError.quoted(bundle)) must be a relative path without '.' or '..' parts")
            }
            guard files.contains(path) else { throw fail(file, "bundle_location", "'\(bundle)' is not a file of the package") }
        }
        return (slug, version, dependencies)
    }

    /// A safe relative path (`dist/remoteEntry.js`): no leading `/`, no empty, `.` or `..`
    /// parts, no backslash or control characters. Nil when unsafe.
    package static func relativePath(_ text: String) -> String? {
        guard !text.isEmpty, !text.hasPrefix("/"),
              !text.unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7f })
        else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return nil }
        return text
    }

    // MARK: - Files

    private struct Listed { let path: String; let size: Int64 }

    /// Every regular file under the package, checked: kinds, names, depth, count and size limits.
    private func walk(_ base: String) throws(CatalogError) -> [Listed] {
        var found: [Listed] = []
        var directories = 0
        var bytes: Int64 = 0
        var pending: [(relative: String, depth: Int)] = [("", 0)]
        while let (relative, depth) = pending.popLast() {
            let absolute = relative.isEmpty ? base : base + "/" + relative
            guard let names = try? FileTree.names(in: absolute) else { throw fail(relative.isEmpty ? nil : relative, "cannot be listed") }
            for name in names {
                guard let name else { throw fail(relative.isEmpty ? nil : relative, "holds a file whose name is not valid UTF-8") }
                let path = relative.isEmpty ? name : relative + "/" + name
                if name.unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7f }) {
                    throw fail(relative.isEmpty ? nil : relative, "holds a file whose name has a control character or a backslash")
                }
                if relative.isEmpty && name.hasPrefix(".") {
                    throw fail(path, "names starting with '.' are reserved at the top of a package (installer staging)")
                }
                if relative.isEmpty && name == CatalogLimits.installerMetadataFile {
                    throw fail(path, "is written by the installer and cannot be part of a package")
                }
                let status = FileTree.status(base + "/" + path)
                switch status.kind {
                case .regular:
                    found.append(Listed(path: path, size: status.size))
                    bytes += status.size
                    if found.count > CatalogLimits.maxFiles {
                        throw fail(nil, "has more than \(CatalogLimits.maxFiles) files")
                    }
                    if bytes > CatalogLimits.maxPackageBytes {
                        throw fail(nil, "is larger than \(CatalogLimits.maxPackageBytes / 1_048_576) MiB")
                    }
                case .directory:
                    directories += 1
                    guard depth + 1 <= CatalogLimits.maxDepth, directories <= CatalogLimits.maxFiles else {
                        throw fail(path, "nests too deep or holds too many folders")
                    }
                    pending.append((path, depth + 1))
                case .symlink: throw fail(path, "is a symbolic link; a package holds only regular files and folders")
                case .fifo, .socket, .characterDevice, .blockDevice, .unknown:
                    throw fail(path, "is \(status.kind.article); a package holds only regular files and folders")
                case .missing: throw fail(path, "vanished while the catalog was loading")
                }
            }
        }
        return found.sorted { $0.path < $1.path }
    }
}

/// Limits a package must stay within; a publish command and the installer rely on the same numbers.
package enum CatalogLimits {
    package static let maxFiles = 2_000
    package static let maxPackageBytes: Int64 = 100 * 1_048_576
    package static let maxManifestBytes: Int64 = 1_048_576
    package static let maxDepth = 32
    /// The file the installer writes into each installed folder; a package may not ship one.
    package static let installerMetadataFile = "plugin_metadata.json"
}
