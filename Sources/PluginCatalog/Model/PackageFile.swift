/// One regular file of a catalog package, hashed once when the catalog loads.
package struct PackageFile: Sendable, Equatable, Codable {
    /// Relative to the package folder, `/`-separated, no `.`/`..` components, e.g. `dist/remoteEntry.js`.
    package let path: String
    package let size: Int64
    /// SHA-256 of the content, lowercase hex.
    package let sha256: String

    package init(path: String, size: Int64, sha256: String) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }
}
