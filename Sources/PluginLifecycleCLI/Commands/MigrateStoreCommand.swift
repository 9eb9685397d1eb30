import ArgumentParser
import Foundation
import LifecycleStore
import Maintenance

/// Moves a single-host installation's SQLite store into PostgreSQL (docs/operations.md, "Moving to PostgreSQL").
struct MigrateStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy the data directory's SQLite store into a PostgreSQL database (a dry run unless --apply; the pool must be stopped).",
        discussion: """
            Copies plugins, modules, installed files, the audit trail and shares, ids kept, in one \
            transaction that commits only when the target reads back as the source (row counts and \
            ordered checksums). A rerun on the same target says "already migrated"; a target with \
            other rows is refused. The URL is never printed; prefer the environment to argv.
            """)
    @OptionGroup var data: DataOptions
    @Option(name: .long, help: "PostgreSQL URL to copy into (default: --database-url, else \(StoreLocation.environmentVariable)).")
    var to: String?
    @Flag(help: "Copy; without it, only count what would be copied.") var apply = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        let environment = ProcessInfo.processInfo.environment[StoreLocation.environmentVariable]
        guard let target = [to, data.databaseURL, environment].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw ValidationError("name the PostgreSQL database: --to URL, or \(StoreLocation.environmentVariable) in the environment")
        }
        let report: StoreCopy.Report
        do {
            report = try StoreMigration.run(dataDirectory: data.dataDir, to: target, apply: apply)
        } catch let error as MaintenanceError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
        if output.json {
            print(try encodeJSON(report))
            return
        }
        let heading = switch report.outcome {
        case .wouldCopy: "dry run: would copy into the PostgreSQL database (pass --apply to copy):"
        case .copied: "copied into the PostgreSQL database in one transaction; counts and checksums verified:"
        case .alreadyMigrated: "already migrated: the PostgreSQL database holds the same rows:"
        }
        let rows = report.tables.map { "  \($0.table.padding(toLength: 15, withPad: " ", startingAt: 0)) \($0.rows) rows" }
        print(([heading] + rows).joined(separator: "\n"))
    }
}
