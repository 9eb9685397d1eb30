import ArgumentParser
import Foundation
import LifecycleStore
import Maintenance

/// Checks a data directory and says what to do about each problem; changes nothing.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check configuration, permissions, database, catalog and plugin folders (read-only).",
        discussion: "Exit status 0 when nothing is wrong or there are only warnings, 1 when an error is found.")
    @OptionGroup var data: DataOptions
    @Option(help: "HS256 secret file to check (default: DATA_DIR/jwt-secret).") var jwtSecretFile: String?
    @Option(help: "Bundle URL secret file to check (default: DATA_DIR/bundle-secret).") var bundleSecretFile: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let report = Doctor(dataDirectory: data.dataDir, catalogRoot: data.catalog, secretPath: jwtSecretFile,
                            bundleSecretPath: bundleSecretFile, location: data.location).run()
        if output.json {
            print(try encodeJSON(report))
        } else {
            print(report.text)
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

func encodeJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
