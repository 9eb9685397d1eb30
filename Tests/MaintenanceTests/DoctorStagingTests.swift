import Foundation
import Maintenance
import Testing

/// A `publish` killed mid-way leaves its staging folder (`catalog/.publish-…`); the catalog
/// ignores it, so `doctor` is where the operator learns of it.
@Suite(.timeLimit(.minutes(10))) struct DoctorStagingTests {
    @Test func aPublishStagingFolderLeftInTheCatalogIsReportedWithTheCommandToRemoveIt() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        let catalog = f.root + "/catalog"
        // What a publisher killed while copying leaves: its folder with part of a package.
        let leftover = catalog + "/.publish-0123456789abcdef"
        try FileManager.default.createDirectory(atPath: leftover + "/package/dist", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: leftover + "/package/dist/remoteEntry.js", contents: Data(count: 4096))
        // A file of that prefix is not a staging folder.
        _ = FileManager.default.createFile(atPath: catalog + "/.publish-lock", contents: Data())

        let report = Doctor(dataDirectory: f.root).run()
        let findings = report.findings("catalog_staging_leftover")
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.severity == .warning)
        #expect(finding.area == .catalog)
        #expect(finding.subject == leftover)
        #expect(finding.remedy?.contains("rm -rf \(leftover)") == true)
        #expect(report.text.contains(leftover))
    }

    @Test func aCatalogWithoutStagingFoldersHasNoSuchFinding() throws {
        let f = try MaintenanceFixture(); defer { f.remove() }
        let report = Doctor(dataDirectory: f.root).run()
        #expect(report.findings("catalog_staging_leftover").isEmpty)
    }
}
