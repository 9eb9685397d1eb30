import Foundation
import LifecycleCore
import Testing

/// Package files are fsynced in batches of `SyncBatch.size` (64, in Posix): a package with more files
/// than one batch must install whole and healthy, every file's bytes as published.
@Suite(.timeLimit(.minutes(10))) struct LargePackageTests {
    @Test func aPackageLargerThanOneSyncBatchInstallsHealthy() throws {
        let f = try Fixture(); defer { f.remove() }
        try DependencyTests().publish(f, slug: "many-files", version: "1.0.0", dependencies: [:])
        let package = f.root + "/catalog/many-files/1.0.0"
        // Extra files, published before the catalog's next re-read (publish waited for the last one).
        for index in 0..<150 {
            try Data("file \(index)\n".utf8).write(to: URL(fileURLWithPath: package + "/dist/chunk-\(index).js"))
        }
        Thread.sleep(forTimeInterval: 1.1)
        _ = try f.service.install(user: "u1", slug: "many-files")
        let status = try f.service.status(user: "u1", slug: "many-files", verify: .full)
        #expect(status.status == .healthy)
        #expect(status.files.expected > 150)
        for index in [0, 63, 64, 127, 128, 149] {
            let copied = FileManager.default.contents(atPath: f.root + "/plugins/u1/many_files/dist/chunk-\(index).js")
            #expect(copied == Data("file \(index)\n".utf8))
        }
    }
}
