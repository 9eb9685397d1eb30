import ArgumentParser
import Foundation
import LifecycleCore
import Maintenance

/// A consistent backup of a live data directory; safe while the pool serves and writes.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the database, plugin folders, secret and catalog into a new folder (the pool may keep running).")
    @Argument(help: "A new or empty folder outside the data directory.") var destination: String
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions
    /// For tests: after the database snapshot, create PATH.ready and wait (30 s at most) until PATH
    /// exists, so a test can commit a change between the snapshot and the folders.
    @Option(help: ArgumentHelp(visibility: .hidden)) var pauseAfterSnapshot: String?

    func run() throws {
        let manifest: BackupManifest
        do {
            // Not `openService`: that prepares folders and migrates; a backup changes nothing it copies.
            let service = try BackupWriter.openService(dataDirectory: data.dataDir, catalogRoot: data.catalog,
                                                       logger: makeLogger(level: .warning), location: data.location)
            var writer = BackupWriter(service: service)
            if let barrier = pauseAfterSnapshot {
                writer.afterSnapshot = {
                    FileManager.default.createFile(atPath: barrier + ".ready", contents: nil)
                    let deadline = Date().addingTimeInterval(30)
                    while !FileManager.default.fileExists(atPath: barrier) && Date() < deadline { usleep(10_000) }
                }
            }
            manifest = try writer.write(to: destination)
        } catch {
            fail(error)
        }
        if output.json {
            print(try encodeJSON(manifest))
            return
        }
        let c = manifest.counts
        var lines = ["backed up \(manifest.sourceDataDirectory) into \(DataDirectory(root: destination).root)",
                     "  database: \(c.plugins) installed plugins of \(c.users) users (sha256 \(manifest.database.sha256.prefix(16))…)",
                     "  plugin folders: \(c.folders) (\(c.files) files, \(c.bytes) bytes)",
                     "  secret: \(manifest.includesSecret ? "included" : "not in the data directory, not included")",
                     "  catalog: \(manifest.includesCatalog ? "included" : "not in the data directory, not included")"]
        if !manifest.usersTakenLater.isEmpty {
            lines.append("  changed while it ran, taken as of when the backup reached them: \(manifest.usersTakenLater.joined(separator: ", "))")
        }
        if !manifest.damagedAtBackup.isEmpty {
            lines.append("  already damaged when copied (repair after a restore): \(manifest.damagedAtBackup.joined(separator: ", "))")
        }
        if !manifest.skipped.isEmpty { lines.append("  links and special files left out: \(manifest.skipped.joined(separator: ", "))") }
        print(lines.joined(separator: "\n"))
    }
}

/// Puts a backup back; refuses a directory in use, and one that holds plugins unless --force.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into the data directory (the pool must be stopped).")
    @Argument(help: "A folder made by `backup`.") var source: String
    @Flag(help: "Replace a data directory that already holds plugins.") var force = false
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let report: RestoreReport
        do {
            report = try BackupRestorer(source: source, dataDirectory: data.dataDir, force: force, location: data.location).restore()
        } catch {
            fail(error)
        }
        print(output.json ? try encodeJSON(report) : report.text)
    }
}

private func fail(_ error: MaintenanceError) -> Never {
    FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
    PluginLifecycleCommand.exit(withError: ExitCode.failure)
}
