import LifecycleCore
import PluginCatalog
import TokenAuth

/// How long a browser may keep a file answer without asking again.
enum FileCachePolicy: Sendable {
    /// `private, no-cache`: the same URL names whatever the user has installed now.
    case revalidate
    /// `private, max-age=N, immutable`, but only when the recorded SHA-256 starts with
    /// `contentHash` (a URL that names the content cannot go stale); otherwise ``revalidate``.
    case immutable(maxAge: Int, contentHash: String)

    func header(for file: ServedFile) -> String {
        switch self {
        case .immutable(let maxAge, let hash) where !hash.isEmpty && file.sha256.hasPrefix(hash):
            return "private, max-age=\(max(0, maxAge)), immutable"
        case .revalidate, .immutable:
            return "private, no-cache"
        }
    }
}

/// A file of the caller's installed copy. The worker only checks (a database snapshot and a few
/// `fstatat` calls) and answers with an empty body and `X-Accel-Redirect`: nginx then opens the
/// file under its internal `/_plugin_files/` location (no link followed) and sends the bytes,
/// with ranges. docs/api.md describes the answer; nginx/plugin-api-files.conf the other half.
extension PluginAPI {
    /// nginx's internal location whose alias is the data directory's `plugins/` folder.
    static let filesLocation = "/_plugin_files/"

    func file(_ call: Call<Caller>) throws -> HTTPResponse {
        try fileAnswer(user: call.caller.user, slug: try call.slug(), path: try Self.decodedFilePath(try call.parameter("path")),
                       ifNoneMatch: call.request.ifNoneMatch, cachePolicy: .revalidate)
    }

    /// The answer for `path` (the route's tail, decoded by ``decodedFilePath(_:)``) of `user`'s copy
    /// of `slug`: every route that serves a file (token or signed) ends here, with its own cache
    /// policy. `version`, for a signed URL: the version its grant was made for, which must be the
    /// one installed.
    func fileAnswer(user: UserID, slug: PluginSlug, path: String, ifNoneMatch: String?,
                    cachePolicy: FileCachePolicy, version: String? = nil) throws -> HTTPResponse {
        let file = try service.servedFile(user: user, slug: slug, path: path)
        if let version, version != file.version {
            throw GrantFailure.invalid(reason: "granted for version \(version), \(file.version) is installed")
        }
        let tag = "\"" + file.sha256 + "\""
        var headers: [(name: String, value: String)] = [
            ("ETag", tag), ("Cache-Control", cachePolicy.header(for: file)), ("X-Content-Type-Options", "nosniff"),
        ]
        // nginx's not-modified filter never sees the ETag it adds after the redirect: judged here.
        if let ifNoneMatch, EntityTag.matches(ifNoneMatch, tag) { return HTTPResponse(status: 304, headers: headers) }
        headers.append(("Content-Type", FileTypes.contentType(of: file.path)))
        headers.append(("X-Accel-Redirect", Self.filesLocation + user.value + "/" + slug.value + "/" + Self.redirectEncoded(file.path)))
        return HTTPResponse(status: 200, headers: headers)
    }

    /// The route's tail, percent-decoded one segment at a time: an encoded `/` would join two
    /// segments into one name, and a bad escape or non-UTF-8 byte names no file (400 `invalid_path`).
    /// The decoded path's own rules are the core's (``LifecycleService/servedPath(_:)``).
    static func decodedFilePath(_ raw: String) throws(LifecycleError) -> String {
        // Decoding never grows a path and shrinks it at most threefold: a longer tail is too long.
        guard raw.utf8.count <= 3 * LifecycleService.maxServedPathBytes else { throw .invalidPath(String(raw.prefix(80))) }
        // Nothing encoded (the usual URL): every segment is already its name.
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
        var decoded: [String] = []
        for segment in raw.split(separator: "/", omittingEmptySubsequences: false) {
            guard let name = percentDecode(String(segment)), !name.utf8.contains(UInt8(ascii: "/")) else {
                throw .invalidPath(raw)
            }
            decoded.append(name)
        }
        return decoded.joined(separator: "/")
    }

    /// `path` as nginx decodes an X-Accel-Redirect URI (once, `%XX` only): every byte outside
    /// `[A-Za-z0-9._~/-]` encoded, so `%`, `?`, `#`, spaces and non-ASCII names arrive unchanged.
    static func redirectEncoded(_ path: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: "-"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The Content-Type of a served file, by its extension: what a Module Federation bundle holds.
/// Anything else is `application/octet-stream` (with nosniff, never run as script or style).
enum FileTypes {
    static func contentType(of path: String) -> String {
        let utf8 = path.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")),
              !utf8[dot...].contains(UInt8(ascii: "/")) else { return fallback }
        let ext = Substring(utf8[utf8.index(after: dot)...])
        let lower = ext.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) ? ext.lowercased() : String(ext)
        return byExtension[lower] ?? fallback
    }

    static let fallback = "application/octet-stream"
    /// No `charset` parameter: nginx keeps a charset it parsed from the worker's type through the
    /// redirect, into its own problem answers' type when the file is gone; scripts and styles are
    /// read as UTF-8 from the page anyway.
    static let byExtension: [String: String] = [
        "js": "text/javascript", "mjs": "text/javascript",
        "css": "text/css", "json": "application/json", "map": "application/json",
        "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "webp": "image/webp", "avif": "image/avif", "ico": "image/x-icon",
        "woff2": "font/woff2", "woff": "font/woff", "ttf": "font/ttf", "otf": "font/otf",
    ]
}
