import CatalogPublishing
import Foundation
import PluginCatalog
import Testing

/// BrainDrive extracted archives without a path-traversal guard; each attack here must be
/// refused with nothing written in the catalog (nor outside it).
@Suite("publish: archive attacks are refused, nothing written", .timeLimit(.minutes(10)))
struct ArchiveAttackTests {
    @Test("zip entry '../evil.js'")
    func zipParent() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let zip = try fixture.makeZip("evil.zip", fixture.zipItems(of: fixture.package()) + [.file("../evil.js", Data("alert(1)".utf8))])
        #expect(publishError(fixture.publisher, zip) == .entryRefused(entry: "../evil.js", reason: .parentComponent))
        #expect(try fixture.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: fixture.base.appendingPathComponent("evil.js").path))
    }

    @Test("zip entry 'a/../../evil.js' (a '..' deeper in the name)")
    func zipDeepParent() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let zip = try fixture.makeZip("evil.zip", fixture.zipItems(of: fixture.package()) + [.file("src/../../evil.js", Data("x".utf8))])
        #expect(publishError(fixture.publisher, zip) == .entryRefused(entry: "src/../../evil.js", reason: .parentComponent))
        #expect(try fixture.snapshot() == before)
    }

    @Test("zip entry with an absolute path")
    func zipAbsolute() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let outside = "/tmp/evil-\(UUID().uuidString)"
        let zip = try fixture.makeZip("evil.zip", fixture.zipItems(of: fixture.package()) + [.file(outside, Data("x".utf8))])
        #expect(publishError(fixture.publisher, zip) == .entryRefused(entry: outside, reason: .absolutePath))
        #expect(!FileManager.default.fileExists(atPath: outside))
        #expect(try fixture.snapshot() == before)
    }

    @Test("zip symlink entry")
    func zipSymlink() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let zip = try fixture.makeZip("evil.zip", fixture.zipItems(of: fixture.package()) + [.symlink("public/passwd", target: "/etc/passwd")])
        #expect(publishError(fixture.publisher, zip) == .entryRefused(entry: "public/passwd", reason: .link(target: nil)))
        #expect(try fixture.snapshot() == before)
    }

    @Test("zip with more than CatalogLimits.maxFiles files, refused before extraction")
    func zipTooManyFiles() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let many = (0...CatalogLimits.maxFiles).map { PublishFixture.ZipItem.file("public/f\($0).txt", Data()) }
        let zip = try fixture.makeZip("many.zip", fixture.zipItems(of: fixture.package()) + many)
        guard case .entryRefused(_, .tooManyFiles(let limit))? = publishError(fixture.publisher, zip) else {
            Issue.record("expected tooManyFiles"); return
        }
        #expect(limit == CatalogLimits.maxFiles)
        #expect(try fixture.snapshot() == before)
    }

    @Test("tar.gz holding a symlink")
    func tarSymlink() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package()
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("public/passwd").path, withDestinationPath: "/etc/passwd")
        try fixture.tar(["-czf", "evil.tgz", "-C", source.path, "."])
        #expect(publishError(fixture.publisher, fixture.work.appendingPathComponent("evil.tgz"))
                == .entryRefused(entry: "./public/passwd", reason: .link(target: "/etc/passwd")))
        #expect(try fixture.snapshot() == before)
        // The folder itself is refused the same way, link named.
        #expect(publishError(fixture.publisher, source) == .entryRefused(entry: "public/passwd", reason: .link(target: "/etc/passwd")))
        #expect(try fixture.snapshot() == before)
    }

    @Test("tar.gz holding a hard link")
    func tarHardLink() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package()
        try FileManager.default.linkItem(at: source.appendingPathComponent("README.md"), to: source.appendingPathComponent("public/README.md"))
        try fixture.tar(["-czf", "hard.tgz", "-C", source.path, "."])
        guard case .entryRefused(_, .link)? = publishError(fixture.publisher, fixture.work.appendingPathComponent("hard.tgz")) else {
            Issue.record("expected a link refusal"); return
        }
        #expect(try fixture.snapshot() == before)
    }

    @Test("tar.gz member '../x' (crafted with -P --transform)")
    func tarParent() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package()
        try fixture.tar(["-czf", "evil.tgz", "-P", "--transform", "s,^README.md$,../x,", "-C", source.path, "plugin.json", "README.md"])
        #expect(publishError(fixture.publisher, fixture.work.appendingPathComponent("evil.tgz"))
                == .entryRefused(entry: "../x", reason: .parentComponent))
        #expect(try fixture.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: fixture.base.appendingPathComponent("x").path))
    }

    @Test("tar.gz member with an absolute path (-P)")
    func tarAbsolute() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package()
        let absolute = source.appendingPathComponent("README.md").standardizedFileURL.path
        try fixture.tar(["-czf", "abs.tgz", "-P", absolute])
        #expect(publishError(fixture.publisher, fixture.work.appendingPathComponent("abs.tgz"))
                == .entryRefused(entry: absolute, reason: .absolutePath))
        #expect(try fixture.snapshot() == before)
    }

    @Test("tar.gz and folder with more than CatalogLimits.maxFiles files")
    func tarTooManyFiles() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package()
        for index in 0...CatalogLimits.maxFiles {
            FileManager.default.createFile(atPath: source.appendingPathComponent("public/f\(index).txt").path, contents: nil)
        }
        try fixture.tar(["-czf", "many.tgz", "-C", source.path, "."])
        guard case .entryRefused(_, .tooManyFiles)? = publishError(fixture.publisher, fixture.work.appendingPathComponent("many.tgz")) else {
            Issue.record("expected tooManyFiles (tar)"); return
        }
        guard case .entryRefused(_, .tooManyFiles)? = publishError(fixture.publisher, source) else {
            Issue.record("expected tooManyFiles (folder)"); return
        }
        #expect(try fixture.snapshot() == before)
        #expect(try fixture.dotEntries().isEmpty)
    }

    @Test("a FIFO in a folder package is refused as a special file")
    func folderFifo() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package()
        #expect(mkfifo(source.appendingPathComponent("public/pipe").path, 0o644) == 0)
        #expect(publishError(fixture.publisher, source) == .entryRefused(entry: "public/pipe", reason: .device("a FIFO")))
        try fixture.tar(["-czf", "fifo.tgz", "-C", source.path, "."])
        #expect(publishError(fixture.publisher, fixture.work.appendingPathComponent("fifo.tgz"))
                == .entryRefused(entry: "./public/pipe", reason: .device("a FIFO")))
        #expect(try fixture.snapshot() == before)
    }

    @Test("zip entry a Unix archiver marked as a character device (type bits read from the central directory)")
    func zipDevice() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let zip = try fixture.makeZip("dev.zip", fixture.zipItems(of: fixture.package()) + [.file("public/dev", Data())])
        // Patch the central-directory record of public/dev: external attributes = S_IFCHR | 0644.
        var bytes = [UInt8](try Data(contentsOf: zip))
        let name = Array("public/dev".utf8)
        var patched = false
        for start in 0..<(bytes.count - 46 - name.count) where bytes[start..<start + 4] == [0x50, 0x4b, 0x01, 0x02] {
            let nameLength = Int(bytes[start + 28]) | Int(bytes[start + 29]) << 8
            guard nameLength == name.count, Array(bytes[(start + 46)..<(start + 46 + nameLength)]) == name else { continue }
            let mode = UInt32(0o020644) << 16
            for i in 0..<4 { bytes[start + 38 + i] = UInt8(truncatingIfNeeded: mode >> (8 * UInt32(i))) }
            bytes[start + 5] = 3 // made by Unix
            patched = true
        }
        #expect(patched)
        try Data(bytes).write(to: zip)
        #expect(publishError(fixture.publisher, zip) == .entryRefused(entry: "public/dev", reason: .device("a character device")))
        #expect(try fixture.snapshot() == before)
    }

    @Test("a file over CatalogLimits.maxPackageBytes (sparse): tar.gz refused from its listing, folder while copying")
    func tooLarge() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package()
        let big = source.appendingPathComponent("public/big.bin").path
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, off_t(CatalogLimits.maxPackageBytes + 1)) == 0)
        try fixture.tar(["-czSf", "big.tgz", "-C", source.path, "."])
        guard case .entryRefused("./public/big.bin", .tooLarge)? = publishError(fixture.publisher, fixture.work.appendingPathComponent("big.tgz")) else {
            Issue.record("expected tooLarge (tar)"); return
        }
        guard case .entryRefused("public/big.bin", .tooLarge)? = publishError(fixture.publisher, source) else {
            Issue.record("expected tooLarge (folder)"); return
        }
        #expect(try fixture.snapshot() == before)
        #expect(try fixture.dotEntries().isEmpty)
    }

    @Test("zip whose central directory declares a size over the limit is refused before extraction")
    func zipDeclaredTooLarge() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let zip = try fixture.makeZip("bomb.zip", fixture.zipItems(of: fixture.package()) + [.file("public/bomb.bin", Data(count: 16))])
        #expect(try fixture.patchUncompressedSize(zip, member: "public/bomb.bin", to: 0x7f00_0000) == 2) // ≈ 2 GiB
        guard case .entryRefused("public/bomb.bin", .tooLarge)? = publishError(fixture.publisher, zip) else {
            Issue.record("expected tooLarge (zip)"); return
        }
        #expect(try fixture.snapshot() == before)
    }

    @Test("a folder holding a hard link (to the data directory's secret) is refused, the file named")
    func folderHardLink() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package()
        let secret = fixture.base.appendingPathComponent("jwt-secret")
        #expect(FileManager.default.createFile(atPath: secret.path, contents: Data("s3cret".utf8), attributes: [.posixPermissions: 0o600]))
        try FileManager.default.linkItem(at: secret, to: source.appendingPathComponent("dist/x.js"))
        let error = publishError(fixture.publisher, source)
        #expect(error == .entryRefused(entry: "dist/x.js", reason: .hardLink(links: 2)))
        #expect(error?.description.contains("dist/x.js") == true)
        #expect(try fixture.snapshot() == before)
        #expect(try fixture.dotEntries().isEmpty)
    }
}
