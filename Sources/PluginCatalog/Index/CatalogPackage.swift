import Foundation

/// One validated version of a plugin in the catalog: `catalog/{slug}/{version}/`.
/// Its files were walked, checked and hashed once, when the catalog loaded.
package struct CatalogPackage: Sendable {
    package let slug: PluginSlug
    package let version: SemanticVersion
    package let manifest: PluginManifest
    /// `plugin.json` as written, unknown keys included (for `info`).
    package let manifestJSON: JSONValue
    package let dependencies: [PluginSlug: VersionRange]
    /// `catalog/{slug}/{version}`.
    package let directory: URL
    /// Every regular file of the package, `plugin.json` included, sorted by path.
    package let files: [PackageFile]
    /// SHA-256 (hex) over the files' paths, sizes and hashes: changes when any file changes.
    package let digest: String

    package init(slug: PluginSlug, version: SemanticVersion, manifest: PluginManifest, manifestJSON: JSONValue,
                dependencies: [PluginSlug: VersionRange], directory: URL, files: [PackageFile]) {
        self.slug = slug
        self.version = version
        self.manifest = manifest
        self.manifestJSON = manifestJSON
        self.dependencies = dependencies
        self.directory = directory
        self.files = files.sorted { $0.path < $1.path }
        self.digest = Digest.hex(of: self.files.map { "\($0.path)\u{0}\($0.size)\u{0}\($0.sha256)\n" }.joined())
    }

    package var totalBytes: Int64 { files.reduce(0) { $0 + $1.size } }

    /// Module names in manifest order.
    package var moduleNames: [String] { manifest.modules.map(\.name) }
}

/// Every version of one plugin in the catalog.
package struct CatalogEntry: Sendable {
    package let slug: PluginSlug
    /// Newest first by SemVer precedence; never empty.
    package let versions: [CatalogPackage]

    /// `versions` is sorted here; it must not be empty and must all carry `slug`.
    package init(slug: PluginSlug, versions: [CatalogPackage]) {
        precondition(!versions.isEmpty, "a catalog entry has at least one version")
        self.slug = slug
        self.versions = versions.sorted { a, b in
            let order = a.version.comparePrecedence(b.version)
            return order != 0 ? order > 0 : a.version.description > b.version.description
        }
    }

    /// The version installed and updated to by default: the newest release, or the newest
    /// pre-release when there is no release at all (a pre-release is never picked over a release,
    /// as npm's `latest` tag and cargo do; name a pre-release explicitly to get it).
    package var latest: CatalogPackage { versions.first { !$0.version.isPrerelease } ?? versions[0] }

    /// The highest version by precedence, pre-releases included.
    package var newest: CatalogPackage { versions[0] }

    package func package(_ version: SemanticVersion) -> CatalogPackage? { versions.first { $0.version == version } }

    /// The newest version the range accepts (npm's `maxSatisfying`), for dependency resolution.
    package func newest(satisfying range: VersionRange) -> CatalogPackage? { versions.first { range.contains($0.version) } }
}
