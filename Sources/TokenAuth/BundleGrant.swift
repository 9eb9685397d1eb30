/// What a signed bundle URL lets its bearer read: one user's installed copy of one plugin, at one
/// version, the files under one folder of it, until a moment.
///
/// A grant is a bearer capability (like an S3 presigned URL): whoever holds the URL may read those
/// files until `expiresAt`, no token needed. ``BundleSigner`` writes it into one URL path segment.
package struct BundleGrant: Sendable, Equatable {
    /// A verified user id (`^[A-Za-z0-9_]{1,64}$`, ``Identity/userID``).
    package let user: String
    /// The canonical plugin slug; it is signed but not written into the segment (the URL names it).
    package let slug: String
    /// The installed version the grant was made for; any other version's files are not covered.
    package let version: String
    /// The folder the grant covers, relative to the plugin's folder: "" (all of it) or a path ending
    /// in "/" ("dist/" covers "dist/a.js" and "dist/chunks/b.js", never "dist-x.js").
    package let prefix: String
    /// Unix seconds; the grant is refused from that second on.
    package let expiresAt: Int

    package init(user: String, slug: String, version: String, prefix: String, expiresAt: Int) {
        self.user = user
        self.slug = slug
        self.version = version
        self.prefix = prefix
        self.expiresAt = expiresAt
    }

    /// Whether `path` (relative to the plugin's folder) lies under ``prefix``.
    package func covers(path: String) -> Bool {
        path.utf8.starts(with: prefix.utf8)
    }
}
