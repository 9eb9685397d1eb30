import Foundation
import Testing
@testable import PluginCatalog

@Suite("CatalogIndex: the sample catalog", .timeLimit(.minutes(10)))
struct SampleCatalogTests {
    let catalog = CatalogIndex.load(root: TempCatalog.sample)

    @Test func loadsEveryPackageWithoutProblems() {
        #expect(catalog.problems == [])
        #expect(catalog.entries.map(\.slug.value) == [
            "braindrive_chat", "braindrive_library", "braindrive_network", "braindrive_settings",
        ])
    }

    @Test func versionsNewestFirstBySemver() throws {
        let settings = try #require(catalog.entry(PluginSlug("braindrive-settings")))
        #expect(settings.versions.map(\.version.description) == ["1.0.10", "1.0.9", "1.0.0"])
        #expect(settings.latest.version.description == "1.0.10")
        let network = try #require(catalog.entry(PluginSlug("BrainDrive_Network")))
        #expect(network.versions.map(\.version.description) == ["1.1.0", "1.0.0"])
        #expect(network.latest.moduleNames == ["ComponentNetworkStatus", "ComponentNetworkHistory"])
        #expect(network.versions[1].moduleNames == ["ComponentNetworkStatus"])
    }

    @Test func manifestFields() throws {
        let package = try #require(catalog.package(PluginSlug("braindrive-network"), version: SemanticVersion("1.0.0")))
        #expect(package.manifest.name == "BrainDrive Network")
        #expect(package.manifest.bundleLocation == "dist/remoteEntry.js")
        let module = try #require(package.manifest.modules.first)
        #expect(module.displayName == "Network Status")
        #expect(module.category == "monitoring")
        #expect(module.configFields != nil && module.props != nil && module.requiredServices != nil)
        #expect(package.manifestJSON["type"] == .string("frontend"))   // unknown keys kept for `info`
        #expect(package.manifestJSON["official"] == .bool(true))
        #expect(package.manifestJSON["modules"]?.arrayValue?.first?["priority"] == .number(1))
        #expect(module.priority == 1)
        #expect(module.tags == ["network", "status", "monitoring"])
        #expect(module.layout?["defaultWidth"] == .number(6))
        #expect(package.dependencies.isEmpty)
    }

    @Test func dependency() throws {
        let library = try #require(catalog.package(PluginSlug("braindrive-library"), version: nil))
        let range = try #require(library.dependencies[PluginSlug("braindrive_chat")])
        #expect(range.description == "^1.0.0")
        let chat = try #require(catalog.entry(PluginSlug("braindrive-chat")))
        #expect(chat.newest(satisfying: range)?.version == SemanticVersion("1.0.0"))
    }

    @Test func filesAreListedSortedAndHashed() throws {
        let package = try #require(catalog.package(PluginSlug("braindrive-network"), version: SemanticVersion("1.1.0")))
        let paths = package.files.map(\.path)
        #expect(paths == paths.sorted())
        #expect(Set(paths).isSuperset(of: ["plugin.json", "package.json", "README.md", "dist/remoteEntry.js", "src/index.js",
                                           "src/components/ComponentNetworkStatus.js",
                                           "src/components/ComponentNetworkHistory.js", "public/icon.svg"]))
        #expect(package.files.allSatisfy { $0.sha256.count == 64 && $0.size > 0 })
        #expect(package.totalBytes == package.files.reduce(0) { $0 + $1.size })
        let manifest = try Data(contentsOf: package.directory.appendingPathComponent("plugin.json"))
        #expect(package.files.first { $0.path == "plugin.json" }?.size == Int64(manifest.count))
    }

    @Test func unknownLookups() throws {
        #expect(catalog.entry(try PluginSlug("nope")) == nil)
        #expect(catalog.package(try PluginSlug("braindrive-network"), version: SemanticVersion("9.9.9")) == nil)
    }

    @Test func fingerprintIsStable() {
        #expect(CatalogIndex.load(root: TempCatalog.sample).fingerprint == catalog.fingerprint)
        #expect(CatalogIndex.quickSignature(root: TempCatalog.sample) == CatalogIndex.quickSignature(root: TempCatalog.sample))
    }
}

@Suite("PluginManifest", .timeLimit(.minutes(10)))
struct PluginManifestCodableTests {
    @Test func snakeCaseKeysAndDefaultDependencies() throws {
        let text = #"{"slug":"a","name":"A","version":"1.0.0","bundle_location":"dist/x.js","modules":[{"name":"M","display_name":"Em","config_fields":{"k":1},"required_services":{}}]}"#
        let manifest = try JSONDecoder().decode(PluginManifest.self, from: Data(text.utf8))
        #expect(manifest.bundleLocation == "dist/x.js")
        #expect(manifest.dependencies == [:])
        #expect(manifest.modules[0].displayName == "Em")
        #expect(manifest.modules[0].configFields == .object(["k": .number(1)]))
        let again = try JSONDecoder().decode(PluginManifest.self, from: JSONEncoder().encode(manifest))
        #expect(again == manifest)
        // The catalog's own reader gives the same value.
        let viaReader = try ManifestReader.manifest(ManifestReader.parse(Data(text.utf8)))
        #expect(viaReader == manifest)
    }
}

@Suite("CatalogIndex: changes", .timeLimit(.minutes(10)))
struct CatalogChangeTests {
    @Test func fingerprintChangesWhenAFileChanges() throws {
        let temp = try TempCatalog()
        try temp.copy("braindrive-network", "1.0.0")
        let before = temp.load()
        #expect(before.problems == [])
        try temp.write("console.log('changed');\n", to: "braindrive-network/1.0.0/dist/remoteEntry.js")
        let after = temp.load()
        #expect(after.fingerprint != before.fingerprint)
        #expect(after.entries[0].latest.digest != before.entries[0].latest.digest)
    }

    @Test func hashesAreSHA256() throws {
        let temp = try TempCatalog()
        try temp.copy("braindrive-chat", "1.0.0")
        try temp.write("", to: "braindrive-chat/1.0.0/src/empty.js")
        try temp.write("abc", to: "braindrive-chat/1.0.0/src/abc.txt")
        let package = try #require(temp.load().entries.first?.latest)
        #expect(package.files.first { $0.path == "src/empty.js" } ==
                PackageFile(path: "src/empty.js", size: 0, sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        #expect(package.files.first { $0.path == "src/abc.txt" }?.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func quickSignatureSeesANewVersionAndAManifestRewrite() throws {
        let temp = try TempCatalog()
        try temp.copy("braindrive-network", "1.0.0")
        let first = CatalogIndex.quickSignature(root: temp.root)
        try temp.copy("braindrive-network", "1.1.0")
        let second = CatalogIndex.quickSignature(root: temp.root)
        #expect(second != first)
        try temp.editManifest("braindrive-network/1.1.0") { $0["description"] = "edited" }
        #expect(CatalogIndex.quickSignature(root: temp.root) != second)
    }

    @Test func missingRootIsAProblemNotACrash() {
        let index = CatalogIndex.load(root: URL(fileURLWithPath: "/nonexistent/catalog-\(UUID().uuidString)"))
        #expect(index.entries.isEmpty)
        #expect(index.problems.count == 1)
        #expect(!index.problems[0].description.contains("/nonexistent"))
    }

    @Test func latestPrefersAReleaseOverANewerPrerelease() throws {
        let temp = try TempCatalog()
        try temp.copy("braindrive-chat", "1.0.0")
        try temp.copy("braindrive-chat", "1.0.0", version: "2.0.0-beta.1")
        try temp.editManifest("braindrive-chat/2.0.0-beta.1") { $0["version"] = "2.0.0-beta.1" }
        let entry = try #require(temp.load().entry(PluginSlug("braindrive_chat")))
        #expect(entry.newest.version.description == "2.0.0-beta.1")
        #expect(entry.latest.version.description == "1.0.0")
    }

    @Test func twoSpellingsOfOneSlugMergeAndDuplicatesAreRefused() throws {
        let temp = try TempCatalog()
        try temp.copy("braindrive-chat", "1.0.0")
        try temp.copy("braindrive-chat", "1.0.0", as: "braindrive_chat")
        try temp.copy("braindrive-chat", "1.0.0", as: "braindrive_chat", version: "1.0.1")
        try temp.editManifest("braindrive_chat/1.0.1") { $0["version"] = "1.0.1" }
        let index = temp.load()
        #expect(index.entries.count == 1)
        #expect(index.entries[0].versions.map(\.version.description) == ["1.0.1", "1.0.0"])
        #expect(index.problems.map(\.file) == ["braindrive_chat/1.0.0"])
    }
}
