import CatalogPublishing
import Foundation
import PluginCatalog
import Posix
import Testing

@Suite("publish: folders and archives into the catalog", .timeLimit(.minutes(10)))
struct PublishTests {
    @Test("a folder is published as a new version: existing slug spelling, files 0644, folders 0755, no staging left")
    func publishFolder() throws {
        let fixture = try PublishFixture()
        let source = try fixture.package()
        // Odd modes in the source must not survive.
        chmod(source.appendingPathComponent("README.md").path, 0o600)
        chmod(source.appendingPathComponent("dist/remoteEntry.js").path, 0o4755)
        chmod(source.appendingPathComponent("src").path, 0o700)

        let package = try fixture.publisher.publish(from: source)

        let target = fixture.catalog.appendingPathComponent("braindrive-chat/1.1.0")
        #expect(package.slug == (try PluginSlug("braindrive_chat")))
        #expect(package.version == SemanticVersion("1.1.0"))
        #expect(package.directory.standardizedFileURL.path == target.standardizedFileURL.path)
        #expect(package.files.contains { $0.path == "dist/remoteEntry.js" })
        for file in package.files {
            #expect(try mode(target.appendingPathComponent(file.path)) == 0o644, "\(file.path)")
        }
        #expect(try mode(target) == 0o755)
        #expect(try mode(target.appendingPathComponent("src")) == 0o755)
        #expect(try mode(target.appendingPathComponent("src/components")) == 0o755)
        #expect(try fixture.dotEntries().isEmpty)

        let index = CatalogIndex.load(root: fixture.catalog)
        #expect(index.problems.isEmpty, "\(index.problems)")
        #expect(index.entry(try PluginSlug("braindrive-chat"))?.versions.map(\.version.description) == ["1.1.0", "1.0.0"])
        #expect(index.package(try PluginSlug("braindrive-chat"), version: nil)?.digest == package.digest)
    }

    @Test("a new slug gets a folder named by its canonical form")
    func publishNewSlug() throws {
        let fixture = try PublishFixture()
        let source = try fixture.package { $0["slug"] = "My-New-Plugin"; $0["version"] = "0.1.0-beta.1" }
        let package = try fixture.publisher.publish(from: source)
        #expect(FileManager.default.fileExists(atPath: fixture.catalog.appendingPathComponent("my_new_plugin/0.1.0-beta.1/plugin.json").path))
        #expect(package.slug.value == "my_new_plugin")
        #expect(CatalogIndex.load(root: fixture.catalog).entries.count == 2)
    }

    @Test("a version already published is never overwritten: clear error, existing files untouched")
    func samePublishedVersionRefused() throws {
        let fixture = try PublishFixture()
        let source = try fixture.package()
        _ = try fixture.publisher.publish(from: source)
        let before = try fixture.snapshot()

        // Same version, different content.
        try Data("changed\n".utf8).write(to: source.appendingPathComponent("README.md"))
        let again = publishError(fixture.publisher, source)
        let slug = try PluginSlug("braindrive_chat")
        #expect(again == .versionAlreadyPublished(slug: slug, version: SemanticVersion("1.1.0")!, existing: "braindrive-chat/1.1.0"))
        #expect(again?.description.contains("already published") == true)
        #expect(try fixture.snapshot() == before)

        // Equal precedence (build metadata) is the same version for the catalog.
        try fixture.editManifest(source) { $0["version"] = "1.1.0+build.7" }
        #expect(publishError(fixture.publisher, source)
                == .versionAlreadyPublished(slug: slug, version: SemanticVersion("1.1.0+build.7")!, existing: "braindrive-chat/1.1.0"))

        // The sample's own version, under another spelling of the slug.
        try fixture.editManifest(source) { $0["version"] = "1.0.0"; $0["slug"] = "BrainDrive_Chat" }
        #expect(publishError(fixture.publisher, source)
                == .versionAlreadyPublished(slug: slug, version: SemanticVersion("1.0.0")!, existing: "braindrive-chat/1.0.0"))
        #expect(try fixture.snapshot() == before)
        #expect(try fixture.dotEntries().isEmpty)
    }

    @Test("a .zip with its files in a single top-level folder is published")
    func publishZip() throws {
        let fixture = try PublishFixture()
        let source = try fixture.package()
        let zip = try fixture.makeZip("chat-1.1.0.zip", [.directory("chat-1.1.0/")] + fixture.zipItems(of: source, prefix: "chat-1.1.0/"))
        let package = try fixture.publisher.publish(from: zip)
        let target = fixture.catalog.appendingPathComponent("braindrive-chat/1.1.0")
        #expect(package.files.count == 7)
        #expect(FileManager.default.contents(atPath: target.appendingPathComponent("dist/remoteEntry.js").path)
                == FileManager.default.contents(atPath: source.appendingPathComponent("dist/remoteEntry.js").path))
        for file in package.files { #expect(try mode(target.appendingPathComponent(file.path)) == 0o644) }
        #expect(CatalogIndex.load(root: fixture.catalog).problems.isEmpty)
        #expect(try fixture.dotEntries().isEmpty)
    }

    @Test("a .tar.gz with its files at the root (./…) and a .tgz inside a top-level folder are published")
    func publishTarGz() throws {
        let fixture = try PublishFixture()
        let source = try fixture.package()
        chmod(source.appendingPathComponent("README.md").path, 0o600)
        try fixture.tar(["-czf", "chat.tar.gz", "-C", source.path, "."])
        let package = try fixture.publisher.publish(from: fixture.work.appendingPathComponent("chat.tar.gz"))
        #expect(package.version.description == "1.1.0")
        let target = fixture.catalog.appendingPathComponent("braindrive-chat/1.1.0")
        for file in package.files { #expect(try mode(target.appendingPathComponent(file.path)) == 0o644) }

        try fixture.editManifest(source) { $0["version"] = "1.2.0" }
        try fixture.tar(["-czf", "chat-1.2.0.tgz", "chat"])
        _ = try fixture.publisher.publish(from: fixture.work.appendingPathComponent("chat-1.2.0.tgz"))
        let index = CatalogIndex.load(root: fixture.catalog)
        #expect(index.problems.isEmpty, "\(index.problems)")
        #expect(index.entry(try PluginSlug("braindrive_chat"))?.versions.map(\.version.description) == ["1.2.0", "1.1.0", "1.0.0"])
        #expect(try fixture.dotEntries().isEmpty)
    }

    @Test("the CatalogProblem of an invalid manifest names the file and the field")
    func invalidManifest() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package { $0["version"] = "1.1" }
        let error = publishError(fixture.publisher, source)
        guard case .invalidPackage(let problem)? = error else { Issue.record("expected invalidPackage, got \(String(describing: error))"); return }
        #expect(problem.file == "plugin.json")
        #expect(problem.field == "version")
        #expect(error!.description.contains("field 'version'"))

        try fixture.editManifest(source) { $0["version"] = "1.1.0"; $0["bundle_location"] = "dist/missing.js" }
        guard case .invalidPackage(let bundle)? = publishError(fixture.publisher, source) else { Issue.record("bundle"); return }
        #expect(bundle.field == "bundle_location")

        try FileManager.default.removeItem(at: source.appendingPathComponent("plugin.json"))
        guard case .invalidPackage(let missing)? = publishError(fixture.publisher, source) else { Issue.record("missing"); return }
        #expect(missing.file == "plugin.json")
        #expect(try fixture.snapshot() == before)
    }

    @Test("a reserved slug (a route word) is refused")
    func reservedSlug() throws {
        let fixture = try PublishFixture()
        let before = try fixture.snapshot()
        let source = try fixture.package { $0["slug"] = "audit" }
        let error = publishError(fixture.publisher, source)
        guard case .invalidPackage(let problem)? = error else { Issue.record("expected invalidPackage, got \(String(describing: error))"); return }
        #expect(problem.field == "slug")
        #expect(problem.message.contains("reserved"))
        #expect(try fixture.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: fixture.catalog.appendingPathComponent("audit").path))
    }

    @Test("unknown source kinds and missing paths are refused")
    func unsupportedSource() throws {
        let fixture = try PublishFixture()
        let rar = fixture.work.appendingPathComponent("chat.rar")
        try Data("Rar!".utf8).write(to: rar)
        guard case .unsupportedSource? = publishError(fixture.publisher, rar) else { Issue.record("rar"); return }
        guard case .unsupportedSource? = publishError(fixture.publisher, fixture.work.appendingPathComponent("nothing.zip")) else { Issue.record("missing"); return }
        let fake = fixture.work.appendingPathComponent("fake.zip")
        try Data("not a zip".utf8).write(to: fake)
        guard case .unsupportedSource? = publishError(fixture.publisher, fake) else { Issue.record("fake zip"); return }
        let fakeTar = fixture.work.appendingPathComponent("fake.tgz")
        try Data("not a tar".utf8).write(to: fakeTar)
        guard case .unsupportedSource? = publishError(fixture.publisher, fakeTar) else { Issue.record("fake tgz"); return }
        #expect(try fixture.dotEntries().isEmpty)
    }

    @Test("a staging folder left by a killed publisher is removed when old, a fresh one is left alone")
    func staleStaging() throws {
        let fixture = try PublishFixture()
        let stale = fixture.catalog.appendingPathComponent(".publish-deadbeef")
        let fresh = fixture.catalog.appendingPathComponent(".publish-cafecafe")
        try FileManager.default.createDirectory(at: stale.appendingPathComponent("package"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: fresh, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: stale.path)
        _ = try fixture.publisher.publish(from: try fixture.package())
        #expect(try fixture.dotEntries() == [".publish-cafecafe"])
        // The loader ignores dot-entries.
        #expect(CatalogIndex.load(root: fixture.catalog).problems.isEmpty)
    }

    @Test("concurrent publishers of one version: exactly one wins, the others are told it is published")
    func concurrentPublishers() throws {
        let fixture = try PublishFixture()
        let sources = try (0..<4).map { index in try fixture.package("chat\(index)") { $0["slug"] = "race-plugin" } }
        let publisher = fixture.publisher
        let results = Locked<[PublishError?]>([])
        DispatchQueue.concurrentPerform(iterations: sources.count) { index in
            let error = publishError(publisher, sources[index])
            results.withLock { $0.append(error) }
        }
        let errors = results.withLock { $0 }
        #expect(errors.filter { $0 == nil }.count == 1)
        for case let error? in errors {
            guard case .versionAlreadyPublished = error else { Issue.record("unexpected \(error)"); continue }
        }
        #expect(try fixture.dotEntries().isEmpty)
        #expect(CatalogIndex.load(root: fixture.catalog).problems.isEmpty)
    }
}
