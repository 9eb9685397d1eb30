import Foundation
import Testing
import TokenAuth

@Suite("SecretPolicy", .timeLimit(.minutes(10)))
struct SecretPolicyTests {
    /// Writes `contents` to a fresh file and returns what `readSecret` makes of it.
    private func readBack(_ contents: [UInt8]) throws -> [UInt8] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)")
        try Data(contents).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try SecretPolicy.readSecret(path: url.path)
    }

    @Test("one trailing \\n is not part of the secret")
    func trailingNewline() throws {
        #expect(try readBack(Array("s3cret\n".utf8)) == Array("s3cret".utf8))
    }

    @Test("one trailing \\r\\n is not part of the secret")
    func trailingCRLF() throws {
        #expect(try readBack(Array("s3cret\r\n".utf8)) == Array("s3cret".utf8))
    }

    @Test("only one trailing newline is removed")
    func onlyOneNewline() throws {
        #expect(try readBack(Array("s3cret\n\n".utf8)) == Array("s3cret\n".utf8))
    }

    @Test("a lone trailing \\r and leading or inner whitespace are kept")
    func otherWhitespaceKept() throws {
        #expect(try readBack(Array(" s3 cret\r".utf8)) == Array(" s3 cret\r".utf8))
    }

    @Test("a file without a trailing newline is read as is, binary bytes included")
    func noNewline() throws {
        let bytes: [UInt8] = [0, 255, 10, 13, 65]
        #expect(try readBack(bytes) == bytes)
    }

    @Test("a missing file is secretUnreadable")
    func missingFile() {
        #expect(throws: TokenAuthSetupError.self) { try SecretPolicy.readSecret(path: "/nonexistent/\(UUID().uuidString)") }
    }

    @Test("an empty secret is refused")
    func empty() {
        #expect(throws: TokenAuthSetupError.emptySecret) { try SecretPolicy.validate([], allowInsecure: false) }
    }

    @Test("a file holding only a newline gives an empty secret, which is refused")
    func newlineOnlyFile() throws {
        let secret = try readBack(Array("\n".utf8))
        #expect(secret.isEmpty)
        #expect(throws: TokenAuthSetupError.emptySecret) { try SecretPolicy.validate(secret, allowInsecure: false) }
    }

    @Test("a 31-byte secret is refused, a 32-byte one accepted")
    func length() throws {
        #expect(throws: TokenAuthSetupError.secretTooShort(bytes: 31)) {
            try SecretPolicy.validate([UInt8](repeating: 0x41, count: 31), allowInsecure: false)
        }
        try SecretPolicy.validate([UInt8](repeating: 0x41, count: 32), allowInsecure: false)
    }

    @Test("BrainDrive's default secret is refused")
    func braindriveDefault() {
        #expect(throws: TokenAuthSetupError.defaultSecret) {
            try SecretPolicy.validate(Array("your-secret-key-here".utf8), allowInsecure: false)
        }
    }

    @Test("allowInsecure accepts the empty, short and default secrets")
    func allowInsecure() throws {
        try SecretPolicy.validate([], allowInsecure: true)
        try SecretPolicy.validate(Array("short".utf8), allowInsecure: true)
        try SecretPolicy.validate(Array("your-secret-key-here".utf8), allowInsecure: true)
    }
}
