/// One regular file of a catalog package, hashed once when the catalog loads.
public struct PackageFile: Sendable, Equatable, Codable {
    /// Relative to the package folder, `/`-separated, no `.`/`..` components, e.g. `dist/remoteEntry.js`.
    public let path: String
    public let size: Int64
    /// SHA-256 of the content, lowercase hex.
    public let sha256: String

    public init(path: String, size: Int64, sha256: String) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }
}
