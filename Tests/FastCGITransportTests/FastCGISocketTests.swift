import Foundation
import Testing
@testable import FastCGITransport

@Suite("FastCGISocket", .timeLimit(.minutes(10)))
struct FastCGISocketTests {
    private func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fcgisock-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func unixSocketReplacesAStaleFileAndAppliesTheMode() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.sock").path

        let first = try FastCGISocket.listen(unixPath: path, mode: 0o600)
        close(first)  // leaves a stale socket file behind, as a crashed master would
        let fd = try FastCGISocket.listen(unixPath: path, mode: 0o660)
        defer { close(fd) }
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        let client = rawConnect(path)
        #expect(client >= 0)
        close(client)
    }

    @Test func unixSocketRefusesALiveSocketAndOtherFiles() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.sock").path
        let live = try FastCGISocket.listen(unixPath: path)
        defer { close(live) }
        #expect(throws: FastCGITransportError.addressInUse(path)) { try FastCGISocket.listen(unixPath: path) }

        let file = dir.appendingPathComponent("plain").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("keep me".utf8))
        #expect(throws: FastCGITransportError.notASocket(file)) { try FastCGISocket.listen(unixPath: file) }
        #expect(FileManager.default.contents(atPath: file) == Data("keep me".utf8))

        let long = "/tmp/" + String(repeating: "x", count: 200)
        #expect(throws: FastCGITransportError.pathTooLong(long)) { try FastCGISocket.listen(unixPath: long) }
    }

    @Test func loopbackTCP() throws {
        let fd = try FastCGISocket.listen(host: "127.0.0.1", port: 0)
        defer { close(fd) }
        #expect(fd >= 0)
        #expect(throws: FastCGITransportError.invalidHost("localhost")) { try FastCGISocket.listen(host: "localhost", port: 0) }
    }
}
