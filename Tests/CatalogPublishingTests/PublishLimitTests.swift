@testable import CatalogPublishing
import Foundation
import PluginCatalog
import Testing

/// The byte cap holds while bytes are written (a lying zip header, a sparse file), and a source
/// that holds the catalog is refused before anything is copied.
@Suite("publish: byte cap while writing, declared sizes, a source holding the catalog", .timeLimit(.minutes(10)))
struct PublishLimitTests {
    /// Bytes of every regular file under `path`: what reached the disk before a refusal.
    func bytesUnder(_ path: String) -> Int64 {
        var total: Int64 = 0
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + relative)
            if attributes?[.type] as? FileAttributeType == .typeRegular {
                total += (attributes?[.size] as? NSNumber)?.int64Value ?? 0
            }
        }
        return total
    }

    @Test("a zip entry whose data runs past its declared size is refused once past it, not after the whole cap")
    func zipUnderstatedSize() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        // Just over the cap of zeros (deflated to ~100 KiB), while both headers say 16 bytes.
        let zip = try fixture.makeZip("liar.zip", fixture.zipItems(of: fixture.package())
                                      + [.zeros("public/liar.bin", count: CatalogLimits.maxPackageBytes + 1)])
        #expect(try fixture.patchUncompressedSize(zip, member: "public/liar.bin", to: 16) == 2)
        let refusal = PublishError.entryRefused(entry: "public/liar.bin", reason: .exceedsDeclaredSize(declared: 16))
        #expect(publishError(fixture.publisher, zip) == refusal)
        #expect(try fixture.snapshot() == before)
        #expect(try fixture.dotEntries().isEmpty)

        // The extractor alone, into a folder nobody cleans up: what it wrote before refusing.
        let out = fixture.base.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        #expect(throws: refusal) { try ZipExtractor.extract(zip, into: out) }
        #expect(bytesUnder(out + "/public/liar.bin") <= 16)
    }

    @Test("a folder with a sparse multi-GiB file is refused by the cap before its bytes are copied")
    func folderSparseFile() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package()
        let sparse = source.appendingPathComponent("public/sparse.bin").path
        #expect(FileManager.default.createFile(atPath: sparse, contents: nil))
        #expect(truncate(sparse, 4 << 30) == 0) // 4 GiB of holes: no disk used
        guard case .entryRefused("public/sparse.bin", .tooLarge)? = publishError(fixture.publisher, source) else {
            Issue.record("expected tooLarge (folder)"); return
        }
        #expect(try fixture.snapshot() == before)
        #expect(try fixture.dotEntries().isEmpty)

        // The folder copy alone: the rest of the package (a few KiB) is written, none of the sparse file.
        let out = fixture.base.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        #expect(throws: PublishError.entryRefused(entry: "public/sparse.bin", reason: .tooLarge(limit: CatalogLimits.maxPackageBytes))) {
            try PackagePublisher.copyFolder(source.path, into: out)
        }
        #expect(bytesUnder(out) < 1_048_576)
    }

    @Test("a folder that contains the catalog (the data directory, the catalog itself) is refused before copying")
    func sourceContainsCatalog() throws {
        let fixture = try PublishFixture()
        // Publishable if it were not for the catalog inside it.
        try FileManager.default.copyItem(at: fixture.package().appendingPathComponent("plugin.json"),
                                         to: fixture.base.appendingPathComponent("plugin.json"))
        let before = try fixture.snapshot()
        for source in [fixture.base, fixture.catalog, fixture.work.appendingPathComponent("..")] {
            guard case .sourceContainsCatalog? = publishError(fixture.publisher, source) else {
                Issue.record("expected sourceContainsCatalog for \(source.path), got \(String(describing: publishError(fixture.publisher, source)))"); continue
            }
            #expect(try fixture.snapshot() == before)
            #expect(try fixture.dotEntries().isEmpty)
        }
        // A catalog that does not exist yet, inside the source: refused, and not created.
        let later = fixture.base.appendingPathComponent("data/catalog")
        guard case .sourceContainsCatalog? = publishError(PackagePublisher(catalogRoot: later), fixture.base) else {
            Issue.record("expected sourceContainsCatalog for a catalog still to be created"); return
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.base.appendingPathComponent("data").path))
    }

    @Test("a link to the data directory as the source is refused the same way")
    func linkedSourceContainsCatalog() throws {
        let fixture = try PublishFixture()
        let link = fixture.work.appendingPathComponent("data-link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: fixture.base)
        guard case .sourceContainsCatalog? = publishError(fixture.publisher, link) else {
            Issue.record("expected sourceContainsCatalog through a link"); return
        }
        #expect(try fixture.dotEntries().isEmpty)
    }
}
