import ArgumentParser
import Foundation
import LegacyMigration
import LifecycleCore

/// Imports BrainDrive's legacy per-user plugin rows (and their shared version folders) as
/// user-scoped installs. Dry run unless `--apply`.
struct MigrateLegacyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-legacy",
        abstract: "Migrate BrainDrive's legacy plugin rows and folders into user-scoped installs (dry run unless --apply).",
        discussion: """
        Reads a copy of the BrainDrive SQLite database (with its -wal, taken into a private temp folder, so nothing \
        appears beside the original) and its plugins folder without writing to either; never runs BrainDrive code. \
        Each legacy slug maps to the catalog plugin whose plugin.json lists it in `legacy_slugs` (BrainDriveChat → \
        braindrive_chat), else to itself normalised (lowercase, '-' = '_'); the report shows each mapping. For each \
        user's `plugin` row it finds the files in PLUGINS/shared/{slug}/v{version}/ (then PLUGINS/{slug}/), slugs \
        matched case-insensitively with '-' = '_', and copies them into the user's own folder with modules and SHA-256 \
        checksums recorded, leaving out node_modules/, .git, __pycache__/, *.pyc and package-lock.json. A plugin or \
        module row with enabled = 0 is migrated switched off. A second --apply migrates nothing new. Defects of the \
        legacy data (orphan module rows, missing version folders, slug spellings, version folders that sort wrongly as \
        strings, invalid versions, module names or user ids, plugin ids other than {user_id}_{slug}, a plugin the user \
        already has at another version) are reported, never fatal.

        Initializer plugins: a plugin counts as given only by the initializer when its slug is BrainDriveSettings, \
        BrainDriveChat, BrainDriveOllama or BrainDriveLibraryPlugin (compared ignoring case, '-' and '_', the \
        'BrainDrive' prefix and 'Plugin' suffix optional: braindrive_chat and Library match too) AND \
        PLUGINS/{user_id}/.metadata/{plugin_id}_remote.json is absent, unreadable, or has no installation_type/source \
        naming a user install (remote, user, manual, local, github, url, upload). --drop-initializer-plugins skips those.

        Exit status: 0 when nothing failed, 1 when an import failed (see the report).
        """)

    @Option(name: .customLong("from"), help: "The BrainDrive SQLite database (read through a copy, never written).")
    var from: String

    @Option(name: .long, help: "BrainDrive's plugins folder (holding shared/{slug}/v{version}/); must exist.")
    var pluginsDir: String

    @Flag(name: .long, help: "Perform the migration (default: dry run, nothing written).")
    var apply = false

    @Flag(name: .long, help: """
        Skip BrainDriveSettings, BrainDriveChat, BrainDriveOllama and BrainDriveLibraryPlugin (any spelling, see \
        above) for users who did not install them themselves.
        """)
    var dropInitializerPlugins = false

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        // A dry run creates nothing: it opens our database only when one already exists (to tell "already present").
        let service: LifecycleService? = apply || FileManager.default.fileExists(atPath: data.directory.databasePath)
            ? try data.openService(logger: makeLogger(level: .warning)) : nil
        // Without a service the catalog folder is still read, so a dry run shows the same mappings.
        let catalogRoot = service == nil ? data.catalog ?? data.directory.defaultCatalogRoot : nil
        let migrator = LegacyMigrator(legacyDatabase: from, pluginsDirectory: pluginsDir)
        let report: MigrationReport
        do {
            report = try migrator.run(options: .init(apply: apply, dropInitializerPlugins: dropInitializerPlugins,
                                                    catalogRoot: catalogRoot),
                                      service: service)
        } catch let error as LegacyMigrationError {
            throw ValidationError(error.description)
        }
        if output.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
        if report.totals.failed > 0 { throw ExitCode.failure }
    }
}
