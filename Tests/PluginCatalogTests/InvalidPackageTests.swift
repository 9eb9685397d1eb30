import Foundation
import Testing
@testable import PluginCatalog
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Each broken package is skipped, the good one beside it still loads, and the one problem
/// names the file (relative to the catalog root) and the field.
@Suite("CatalogIndex: invalid packages", .timeLimit(.minutes(10)))
struct InvalidPackageTests {
    /// Loads a catalog with a good `braindrive-chat/1.0.0` and a broken `braindrive-network/1.0.0`.
    private func loadBroken(_ breakIt: (TempCatalog) throws -> Void) throws -> CatalogProblem {
        let temp = try TempCatalog()
        try temp.copy("braindrive-chat", "1.0.0")
        try temp.copy("braindrive-network", "1.0.0")
        try breakIt(temp)
        let index = temp.load()
        #expect(index.entries.map(\.slug.value) == ["braindrive_chat"], "the broken package is skipped, the good one kept")
        #expect(index.problems.count == 1)
        return try #require(index.problems.first)
    }

    private let manifest = "braindrive-network/1.0.0/plugin.json"

    @Test func badJSON() throws {
        let problem = try loadBroken { try $0.write(#"{"slug": "braindrive-network", "#, to: "braindrive-network/1.0.0/plugin.json") }
        #expect(problem.file == manifest)
        #expect(problem.field == nil)
        #expect(problem.message.contains("not valid JSON"))
        #expect(!problem.description.contains(NSTemporaryDirectory()))
    }

    @Test func notAnObject() throws {
        let problem = try loadBroken { try $0.write("[1, 2]", to: "braindrive-network/1.0.0/plugin.json") }
        #expect(problem.file == manifest && problem.message.contains("object"))
    }

    @Test func missingManifest() throws {
        let problem = try loadBroken { try FileManager.default.removeItem(at: $0.root.appendingPathComponent(self.manifest)) }
        #expect(problem.file == manifest && problem.message == "is missing")
    }

    @Test("missing or mistyped field", arguments: [
        ("name", "name"), ("modules", "modules"), ("slug", "slug"), ("version", "version"),
    ])
    func missingField(key: String, field: String) throws {
        let problem = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { $0[key] = nil } }
        #expect(problem.file == manifest)
        #expect(problem.field == field)
        #expect(problem.message == "is missing")
        #expect(problem.description == "\(manifest): field '\(field)': is missing")
    }

    @Test func nestedFieldPath() throws {
        let missing = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { m in
            var modules = m["modules"] as! [[String: Any]]
            modules[0]["name"] = nil
            m["modules"] = modules
        } }
        #expect(missing.field == "modules[0].name")
        let mistyped = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { m in
            var modules = m["modules"] as! [[String: Any]]
            modules[0]["priority"] = "high"
            m["modules"] = modules
        } }
        #expect(mistyped.field == "modules[0].priority")
        let badDependency = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { $0["dependencies"] = ["braindrive-chat": 1] } }
        #expect(badDependency.field == "dependencies.braindrive-chat")
    }

    @Test func versionMismatch() throws {
        let problem = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { $0["version"] = "1.0.1" } }
        #expect(problem.file == manifest && problem.field == "version")
    }

    @Test func invalidVersionInManifest() throws {
        let problem = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { $0["version"] = "1.0" } }
        #expect(problem.field == "version")
    }

    @Test func slugMismatch() throws {
        let problem = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { $0["slug"] = "braindrive-chat" } }
        #expect(problem.file == manifest && problem.field == "slug")
    }

    @Test func anotherSpellingOfTheFolderSlugIsFine() throws {
        let temp = try TempCatalog()
        try temp.copy("braindrive-network", "1.0.0")
        try temp.editManifest("braindrive-network/1.0.0") { $0["slug"] = "BrainDrive_Network" }
        #expect(temp.load().problems == [])
    }

    @Test func versionFolderNotSemver() throws {
        let problem = try loadBroken { try $0.copy("braindrive-network", "1.0.0", version: "latest") ; try FileManager.default.removeItem(at: $0.root.appendingPathComponent("braindrive-network/1.0.0")) }
        #expect(problem.file == "braindrive-network/latest" && problem.field == nil)
    }

    @Test func symlinkInside() throws {
        let problem = try loadBroken {
            try FileManager.default.createSymbolicLink(atPath: $0.root.appendingPathComponent("braindrive-network/1.0.0/dist/secrets").path,
                                                       withDestinationPath: "/etc/passwd")
        }
        #expect(problem.file == "braindrive-network/1.0.0/dist/secrets")
        #expect(problem.message.contains("symbolic link"))
    }

    @Test func symlinkedManifest() throws {
        let problem = try loadBroken { temp in
            let url = temp.root.appendingPathComponent(self.manifest)
            try FileManager.default.moveItem(at: url, to: temp.root.appendingPathComponent("braindrive-network/1.0.0/src/real.json"))
            try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: "src/real.json")
        }
        #expect(problem.file == manifest && problem.message.contains("symbolic link"))
    }

    @Test func fifoInside() throws {
        let problem = try loadBroken { temp in
            #expect(mkfifo(temp.root.appendingPathComponent("braindrive-network/1.0.0/src/pipe").path, 0o644) == 0)
        }
        #expect(problem.file == "braindrive-network/1.0.0/src/pipe" && problem.message.contains("FIFO"))
    }

    @Test func reservedSlugFolder() throws {
        let temp = try TempCatalog()
        try temp.copy("braindrive-network", "1.0.0", as: "health")
        try temp.editManifest("health/1.0.0") { $0["slug"] = "health" }
        let index = temp.load()
        #expect(index.entries.isEmpty)
        #expect(index.problems.map(\.file) == ["health"])
        #expect(index.problems.first?.message.contains("reserved") == true)
    }

    @Test func reservedSlugInManifest() throws {
        let temp = try TempCatalog()
        let directory = try temp.copy("braindrive-network", "1.0.0", as: "staging")
        try temp.editManifest("staging/1.0.0") { $0["slug"] = "Available" }
        #expect {
            try CatalogIndex.validatePackage(at: directory, expectedSlug: nil, expectedVersion: nil)
        } throws: { error in
            guard case CatalogError.invalidPackage(let problem) = error else { return false }
            return problem.file == "staging/1.0.0/plugin.json" && problem.field == "slug" && problem.message.contains("reserved")
        }
    }

    @Test func validatePackageWithoutExpectations() throws {
        let temp = try TempCatalog()
        let directory = try temp.copy("braindrive-library", "1.0.0", as: "upload", version: "tmp123")
        let package = try CatalogIndex.validatePackage(at: directory, expectedSlug: nil, expectedVersion: nil)
        #expect(package.slug.value == "braindrive_library" && package.version == SemanticVersion("1.0.0"))
    }

    @Test func duplicateModule() throws {
        let problem = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { m in
            let modules = m["modules"] as! [[String: Any]]
            var copy = modules[0]
            copy["name"] = (modules[0]["name"] as! String).lowercased()   // same name, other case
            m["modules"] = modules + [copy]
        } }
        #expect(problem.file == manifest && problem.field == "modules[1].name" && problem.message.contains("duplicate"))
    }

    @Test("module names that are not identifiers", arguments: ["../x", "", "1Component", "Comp-onent", "Comp onent"])
    func invalidModuleName(name: String) throws {
        let problem = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { m in
            var modules = m["modules"] as! [[String: Any]]
            modules[0]["name"] = name
            m["modules"] = modules
        } }
        #expect(problem.field == "modules[0].name")
    }

    @Test func noModules() throws {
        let problem = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { $0["modules"] = [Any]() } }
        #expect(problem.field == "modules")
    }

    @Test("bundle_location must be a file of the package", arguments: [
        "dist/missing.js", "../braindrive-chat/1.0.0/dist/remoteEntry.js", "/etc/passwd", "./dist/remoteEntry.js", "dist", "",
    ])
    func missingBundle(location: String) throws {
        let problem = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { $0["bundle_location"] = location } }
        #expect(problem.file == manifest && problem.field == "bundle_location")
    }

    @Test("dependency keys and ranges", arguments: [
        (["braindrive-network": "^1.0.0"], "dependencies.braindrive-network"),          // itself
        (["../chat": "^1.0.0"], "dependencies.../chat"),
        (["braindrive-chat": "not a range"], "dependencies.braindrive-chat"),
        (["audit": "*"], "dependencies.audit"),
        (["braindrive-chat": "^1.0.0", "braindrive_chat": "^1.0.0"], "dependencies.braindrive_chat"),
    ])
    func badDependencies(dependencies: [String: String], field: String) throws {
        let problem = try loadBroken { try $0.editManifest("braindrive-network/1.0.0") { $0["dependencies"] = dependencies } }
        #expect(problem.file == manifest && problem.field == field)
    }

    @Test func installerMetadataAndHiddenFilesAreRefused() throws {
        let metadata = try loadBroken { try $0.write("{}", to: "braindrive-network/1.0.0/plugin_metadata.json") }
        #expect(metadata.file == "braindrive-network/1.0.0/plugin_metadata.json")
        let hidden = try loadBroken { try $0.write("x", to: "braindrive-network/1.0.0/.staging") }
        #expect(hidden.file == "braindrive-network/1.0.0/.staging")
    }

    @Test func tooManyFiles() throws {
        let problem = try loadBroken { temp in
            let dir = temp.root.appendingPathComponent("braindrive-network/1.0.0/many")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for i in 0..<CatalogLimits.maxFiles { _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("f\(i)").path, contents: nil) }
        }
        #expect(problem.file == "braindrive-network/1.0.0" && problem.message.contains("more than 2000 files"))
    }

    @Test func tooLarge() throws {
        let problem = try loadBroken { temp in
            let path = temp.root.appendingPathComponent("braindrive-network/1.0.0/dist/huge.bin").path
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: UInt64(CatalogLimits.maxPackageBytes) + 1)   // sparse: never read
            try handle.close()
        }
        #expect(problem.file == "braindrive-network/1.0.0" && problem.message.contains("MiB"))
    }

    @Test func strayFileAtTheRootIsAProblem() throws {
        let temp = try TempCatalog()
        try temp.copy("braindrive-chat", "1.0.0")
        try temp.write("hello", to: "NOTES.txt")
        try temp.write("ignored", to: ".publish-lock")
        let index = temp.load()
        #expect(index.entries.count == 1)
        #expect(index.problems.map(\.file) == ["NOTES.txt"])
    }
}
