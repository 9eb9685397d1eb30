import Foundation
import Testing

/// nginx refuses links under `/_plugin_files/` on its own (`disable_symlinks on` in
/// plugin-api-files.conf): the half of the file route that guards against a link planted after
/// the worker's check. The real workers refuse links first, so here a responder that checks
/// nothing redirects straight to the planted link (NginxWithStubPool), and real nginx, over real
/// sockets, must withhold the link's target.
///
/// nginx opens each component below the alias relative to the one before with `O_NOFOLLOW`: a
/// link as the file itself fails with ELOOP, which nginx answers 403 (`forbidden`); a link as a
/// folder on the way is opened with `O_DIRECTORY` too and fails with ENOTDIR, which nginx answers
/// 404 like a missing folder (`file_not_found`). Its error log names the errno each time.
@Suite(.serialized, .timeLimit(.minutes(10))) struct NginxLinkRefusalTests {
    static let entry = "u/p/dist/app.wasm"
    static let copy = Array("export const copy = \"the user's own bytes\";\n".utf8)
    static let secret = "SECRET-OUTSIDE-PLUGINS-7f3a"

    /// plugins/u/p/dist/app.wasm (the user's copy), and ROOT/outside/ with the secret as
    /// secret.wasm and as u/p/dist/app.wasm, for links from plugins/ to lead to.
    static func populated() throws -> (front: NginxWithStubPool, outside: String) {
        let front = try NginxWithStubPool()
        let outside = front.root + "/outside"
        for dir in [front.plugins + "/u/p/dist", outside + "/u/p/dist"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        try Data(copy).write(to: URL(fileURLWithPath: front.plugins + "/" + entry))
        for file in [outside + "/secret.wasm", outside + "/" + entry] { try Data(secret.utf8).write(to: URL(fileURLWithPath: file)) }
        return (front, outside)
    }

    static func link(_ path: String, to target: String) throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    /// GET of `entry`, which on disk (links followed) reads as the secret, so an answer that
    /// followed the links would send it: nginx must answer `status`/`code` instead, and log `errno`.
    static func expectWithheld(_ front: NginxWithStubPool, _ status: Int, _ code: String, errno: String, _ what: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let onDisk = try String(contentsOfFile: front.plugins + "/" + entry, encoding: .utf8)
        #expect(onDisk == secret, "\(what): the links do not lead to the secret", sourceLocation: sourceLocation)
        let response = try front.get(redirectingTo: entry)
        expectProblem(response, status, code, what, sourceLocation: sourceLocation)
        #expect(!response.text.contains(secret), "\(what): the link's target was sent", sourceLocation: sourceLocation)
        #expect(front.errorLog.contains(errno), "\(what): \(front.errorLog.suffix(600))", sourceLocation: sourceLocation)
    }

    static let eloop = "(40: Too many levels of symbolic links)"
    static let enotdir = "(20: Not a directory)"

    @Test func aFileReplacedByALinkIsForbidden() throws {
        let (front, outside) = try Self.populated(); defer { front.stop() }
        // The control: the same redirect to the regular file is sent whole.
        let control = try front.get(redirectingTo: Self.entry)
        #expect(control.status == 200 && control.body == Self.copy, "\(control.status) \(control.text.prefix(200))")
        #expect(control.header("Content-Type") == "application/octet-stream" && control.header("X-Accel-Redirect") == nil)

        try Self.link(front.plugins + "/" + Self.entry, to: outside + "/secret.wasm")
        try Self.expectWithheld(front, 403, "forbidden", errno: Self.eloop, "app.wasm a link to a file outside plugins/")
        try Self.link(front.plugins + "/" + Self.entry, to: "../../../../../outside/secret.wasm")
        try Self.expectWithheld(front, 403, "forbidden", errno: Self.eloop, "app.wasm a relative link out of plugins/")
        // A link is refused wherever it points: its neighbour in the user's own copy, or nowhere.
        try Data(Self.copy).write(to: URL(fileURLWithPath: front.plugins + "/u/p/dist/real.wasm"))
        try Self.link(front.plugins + "/" + Self.entry, to: "real.wasm")
        expectProblem(try front.get(redirectingTo: Self.entry), 403, "forbidden", "app.wasm a link to its neighbour")
        try Self.link(front.plugins + "/" + Self.entry, to: "nowhere.wasm")
        expectProblem(try front.get(redirectingTo: Self.entry), 403, "forbidden", "app.wasm a dangling link")
        #expect(front.redirects.all["/_plugin_files/" + Self.entry] == 5, "the responder redirected every request: \(front.redirects.all)")
    }

    @Test func aLinkedFolderInThePathIsNotFollowed() throws {
        let (front, outside) = try Self.populated(); defer { front.stop() }
        try FileManager.default.removeItem(atPath: front.plugins + "/u/p/dist")
        try Self.link(front.plugins + "/u/p/dist", to: outside + "/u/p/dist")
        try Self.expectWithheld(front, 404, "file_not_found", errno: Self.enotdir, "plugins/u/p/dist a link out of plugins/")
        #expect(front.redirects.all["/_plugin_files/" + Self.entry] == 1)
    }

    @Test func aLinkedUserFolderIsNotFollowed() throws {
        let (front, outside) = try Self.populated(); defer { front.stop() }
        // Another user's folder a link to u's: inside plugins/, and still not followed.
        try Self.link(front.plugins + "/w", to: "u")
        #expect(try front.get(redirectingTo: Self.entry).status == 200, "u's own folder is no link")
        expectProblem(try front.get(redirectingTo: "w/p/dist/app.wasm"), 404, "file_not_found", "plugins/w a link to plugins/u")
        try FileManager.default.moveItem(atPath: front.plugins + "/u", toPath: front.root + "/u-moved")
        try Self.link(front.plugins + "/u", to: outside + "/u")
        try Self.expectWithheld(front, 404, "file_not_found", errno: Self.enotdir, "plugins/u a link out of plugins/")
    }

    @Test func aMissingFileIsFileNotFound() throws {
        let (front, _) = try Self.populated(); defer { front.stop() }
        for rest in ["u/p/dist/gone.wasm", "u/p/missing-folder/app.wasm", "nobody/p/dist/app.wasm"] {
            let response = try front.get(redirectingTo: rest)
            expectProblem(response, 404, "file_not_found", rest)
            #expect(response.header("X-Request-Id")?.count == 32)
        }
        #expect(front.errorLog.contains("(2: No such file or directory)") && !front.errorLog.contains(Self.enotdir))
    }

    /// nginx keeps the charset it parsed from the worker's Content-Type when an error page
    /// replaces the type after a redirect (no directive clears it): the worker's types carry no
    /// charset, so nginx's own problem after a `.js` redirect is exactly problem+json.
    @Test func aProblemAfterAJavaScriptRedirectIsPlainProblemJSON() throws {
        let (front, _) = try Self.populated(); defer { front.stop() }
        let response = try front.get(redirectingTo: "u/p/dist/gone.js")
        expectProblem(response, 404, "file_not_found", "a .js file gone since the check")
    }
}
