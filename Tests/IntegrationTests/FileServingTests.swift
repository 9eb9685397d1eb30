import Foundation
import StoreTestSupport
import Testing

/// `GET /api/plugins/{slug}/files/{path}` through real nginx and real workers: the worker checks
/// and redirects, nginx sends the user's own bytes with the worker's headers.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FileServingTests {
    static let p = "/api/plugins/braindrive-network/files/"
    static let entry = "dist/remoteEntry.js"

    static func sha256(_ path: String) throws -> String {
        let result = try Stack.runProcess("/usr/bin/sha256sum", [path])
        return String(result.output.prefix(64))
    }

    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test(arguments: TestStore.all) func nginxSendsTheCallersOwnCopyWithTheRecordedHash(store: TestStore) throws {
        let stack = try Stack(store: store); defer { stack.stop() }
        for user in ["user1", "user2"] {
            #expect(try stack.request("POST", "/api/plugins/braindrive-network/install", user: user).status == 201)
        }
        let mine = stack.dataDir + "/plugins/user1/braindrive_network/" + Self.entry
        let recorded = try Self.sha256(mine)
        // user1's copy changed in place, same size: still served (the size check passes), and
        // under the tag recorded at install; user2's copy is untouched.
        var changed = try Self.bytes(mine)
        changed[3] = UInt8(ascii: "X")
        try Data(changed).write(to: URL(fileURLWithPath: mine))

        let response = try stack.get(Self.p + Self.entry, user: "user1")
        #expect(response.status == 200 && response.body == changed, "\(response.status) \(response.text.prefix(200))")
        #expect(response.header("ETag") == "\"\(recorded)\"", "nginx's own mtime-size tag must not replace the recorded one")
        #expect(response.header("Content-Type") == "text/javascript")
        #expect(response.header("Cache-Control") == "private, no-cache")
        #expect(response.header("X-Content-Type-Options") == "nosniff")
        #expect(response.header("Cross-Origin-Resource-Policy") == "same-origin")
        #expect(response.header("Content-Security-Policy") == "default-src 'none'; sandbox")
        let requestID = try #require(response.header("X-Request-Id"))
        #expect(requestID.count == 32 && !requestID.contains(","), "exactly one X-Request-Id: \(requestID)")
        #expect(response.header("X-Accel-Redirect") == nil)
        #expect(response.header("Content-Length") == String(changed.count))

        let theirs = try stack.get(Self.p + Self.entry, user: "user2")
        #expect(theirs.status == 200 && theirs.body != changed && theirs.body.count == changed.count)
        #expect(theirs.body == (try Self.bytes(stack.dataDir + "/plugins/user2/braindrive_network/" + Self.entry)))
        expectProblem(try stack.get(Self.p + Self.entry, user: "user3"), 404, "not_installed", "user3 has no copy")
        expectProblem(try stack.get(Self.p + "../../user1/braindrive_network/" + Self.entry, user: "user2"), 400, "invalid_path",
                      "user2 naming user1's folder")

        // The worker's 304; HEAD; ranges, If-Range on the recorded tag.
        let tag = "\"\(recorded)\""
        let notModified = try stack.get(Self.p + Self.entry, user: "user1", headers: ["If-None-Match": tag])
        #expect(notModified.status == 304 && notModified.body.isEmpty && notModified.header("ETag") == tag)
        let head = try stack.request("HEAD", Self.p + Self.entry, user: "user1")
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == String(changed.count))
        let range = try stack.get(Self.p + Self.entry, user: "user1", headers: ["Range": "bytes=0-9"])
        #expect(range.status == 206 && range.body == Array(changed[0..<10]) && range.header("Content-Range") == "bytes 0-9/\(changed.count)")
        #expect(range.header("ETag") == tag)
        #expect(try stack.get(Self.p + Self.entry, user: "user1", headers: ["Range": "bytes=0-9", "If-Range": tag]).status == 206)
        #expect(try stack.get(Self.p + Self.entry, user: "user1", headers: ["Range": "bytes=0-9", "If-Range": "\"old\""]).status == 200)
        // An If-Modified-Since never stands in for the tag.
        #expect(try stack.get(Self.p + Self.entry, user: "user1", headers: ["If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"]).status == 200)
    }

    /// The internal location answers nothing from outside, however it is spelled.
    @Test func theInternalLocationIsNotReachableFromOutside() throws {
        let stack = try Stack(); defer { stack.stop() }
        #expect(try stack.request("POST", "/api/plugins/braindrive-network/install", user: "user1").status == 201)
        let target = "/_plugin_files/user1/braindrive_network/" + Self.entry
        for (path, code) in [(target, "not_found"), ("/%5Fplugin_files/user1/braindrive_network/" + Self.entry, "not_found"),
                             ("/api/plugins/braindrive-network/files/../../../.." + target, "file_not_found")] {
            for user in [nil, "user1"] as [String?] {
                let response = try stack.get(path, user: user)
                expectProblem(response, 404, code, path)
                #expect(!response.text.contains("Module Federation") && response.header("X-Request-Id")?.count == 32)
            }
        }
        // Dot segments that stay under /api/plugins/ reach the worker, which refuses them.
        expectProblem(try stack.get("/api/plugins/braindrive-network/files/../../.." + target, user: "user1"), 400, "invalid_path",
                      "traversal judged on the raw path")
    }

    /// One worker sends a 4 MiB file's answer without reading it: its read and write counters
    /// (/proc/PID/io, every read and write of the process, sockets included) barely move, while
    /// a full status check, which does read the file, moves them by more than its size.
    @Test func theWorkerNeverReadsTheBytes() throws {
        let stack = try Stack(workers: 1); defer { stack.stop() }
        // A version of braindrive-chat with a 4 MiB bundle, published by copying a folder into the catalog.
        let catalog = stack.dataDir + "/catalog/braindrive-chat"
        try FileManager.default.copyItem(atPath: catalog + "/1.0.0", toPath: catalog + "/.1.0.1")
        let manifest = catalog + "/.1.0.1/plugin.json"
        try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(of: "\"version\": \"1.0.0\"", with: "\"version\": \"1.0.1\"")
            .write(toFile: manifest, atomically: false, encoding: .utf8)
        let big = [UInt8]((0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try Data(big).write(to: URL(fileURLWithPath: catalog + "/.1.0.1/dist/big.js"))
        try FileManager.default.moveItem(atPath: catalog + "/.1.0.1", toPath: catalog + "/1.0.1")
        let install = try stack.request("POST", "/api/plugins/braindrive-chat/install", user: "user1", body: #"{"version":"1.0.1"}"#)
        #expect(install.status == 201, "\(install.text.prefix(300))")

        let worker = try #require(stack.workerPIDs().first)
        func counters() throws -> (read: Int, written: Int) {
            let text = try String(contentsOfFile: "/proc/\(worker)/io", encoding: .utf8)
            func value(_ name: String) -> Int {
                text.split(separator: "\n").first { $0.hasPrefix(name + ":") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
            }
            return (value("rchar"), value("wchar"))
        }
        let before = try counters()
        let response = try stack.get("/api/plugins/braindrive-chat/files/dist/big.js", user: "user1")
        let after = try counters()
        #expect(response.status == 200 && response.body == big, "\(response.status) \(response.body.count)")
        #expect(after.read - before.read < 64 << 10, "the worker read \(after.read - before.read) bytes")
        #expect(after.written - before.written < 64 << 10, "the worker wrote \(after.written - before.written) bytes")

        // The control: reading the file shows up in the same counters.
        #expect(try stack.get("/api/plugins/braindrive-chat/status?verify=full", user: "user1").status == 200)
        #expect(try counters().read - after.read > big.count)
        #expect(stack.workerPIDs() == [worker])
    }

    /// A signed URL from status loads the user's copy through nginx with no token, as a <script>
    /// tag sends it; altered, it is refused; another user's token cannot borrow it.
    @Test(arguments: TestStore.all) func aSignedURLLoadsTheUsersCopyWithoutAToken(store: TestStore) throws {
        let stack = try Stack(store: store); defer { stack.stop() }
        for user in ["user1", "user2"] {
            #expect(try stack.request("POST", "/api/plugins/braindrive-network/install", user: user).status == 201)
        }
        let status = try stack.get("/api/plugins/braindrive-network/status", user: "user1")
        let data = try #require(status.json?["data"] as? [String: Any])
        let url = try #require(data["bundle_url"] as? String, "\(status.text.prefix(300))")
        #expect(data["scope"] as? String == "BrainDriveNetwork")
        let mine = try Self.bytes(stack.dataDir + "/plugins/user1/braindrive_network/" + Self.entry)

        let response = try stack.get(url)
        #expect(response.status == 200 && response.body == mine, "\(response.status) \(response.text.prefix(200))")
        #expect(response.header("Cache-Control")?.hasPrefix("private, max-age=") == true, "\(response.header("Cache-Control") ?? "-")")
        #expect(response.header("Cache-Control")?.hasSuffix(", immutable") == true)
        #expect(response.header("ETag") == "\"\(try Self.sha256(stack.dataDir + "/plugins/user1/braindrive_network/" + Self.entry))\"")
        #expect(response.header("X-Accel-Redirect") == nil)
        let range = try stack.get(url, headers: ["Range": "bytes=0-9"])
        #expect(range.status == 206 && range.body == Array(mine[0..<10]))

        expectProblem(try stack.get(url.replacingOccurrences(of: "/bundles/user1~", with: "/bundles/user2~")), 403,
                      "invalid_signature", "user2's id in user1's grant")
        expectProblem(try stack.get(url, user: "user2"), 403, "invalid_signature", "user1's URL with user2's token")
        expectProblem(try stack.get(url.replacingOccurrences(of: "dist/remoteEntry.js", with: "plugin.json")), 403,
                      "invalid_signature", "a file outside the grant's folder")
    }
}
