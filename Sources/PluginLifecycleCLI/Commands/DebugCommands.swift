import ArgumentParser
import Foundation
import LifecycleCore

/// The seed's debug commands: each runs one lifecycle call against the data directory directly,
/// prints text (or `--json`, the API's data shape), and exits non-zero on failure.
protocol LifecycleDebugCommand: ParsableCommand {
    var data: DataOptions { get }
    var output: OutputOptions { get }
}

extension LifecycleDebugCommand {
    func perform<T: Encodable>(_ body: (LifecycleService) throws(LifecycleError) -> T, text: (T) -> String) throws {
        let service: LifecycleService
        do { service = try data.openService(logger: makeLogger(level: .warning)) } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let result: T
        do {
            result = try body(service)
        } catch {
            if output.json {
                print("{\"status\": \"error\", \"detail\": \(jsonString(error.description))}")
            }
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
        if output.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(text(result))
        }
    }
}

func jsonString(_ text: String) -> String {
    String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
}

struct InstallCommand: LifecycleDebugCommand {
    static let configuration = CommandConfiguration(commandName: "install", abstract: "Install a plugin for a user.")
    @Argument var user: String
    @Argument var slug: String
    @Option(help: "Version to install (default: latest).") var version: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try perform({ service throws(LifecycleError) in try service.install(user: user, slug: slug, version: version) }) { r in
            "installed \(r.pluginSlug) \(r.version) for \(user) as \(r.pluginID)\nmodules: \(r.modulesCreated.joined(separator: ", "))\nfolder: \(r.pluginDirectory)"
        }
    }
}

struct UninstallCommand: LifecycleDebugCommand {
    static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Remove a user's copy of a plugin.")
    @Argument var user: String
    @Argument var slug: String
    @Flag(help: "Also uninstall the user's plugins that need this one.") var cascade = false
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try perform({ service throws(LifecycleError) in try service.uninstall(user: user, slug: slug, cascade: cascade) }) { r in
            "uninstalled \(r.uninstalled.joined(separator: ", ")) for \(user); deleted modules: \(r.deletedModules.joined(separator: ", "))"
        }
    }
}

struct StatusCommand: LifecycleDebugCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Check a user's copy of a plugin.")
    @Argument var user: String
    @Argument var slug: String
    @Flag(help: "Also compare SHA-256 of every file.") var full = false
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try perform({ service throws(LifecycleError) in try service.status(user: user, slug: slug, verify: full ? .full : .sizes) }) { r in
            var lines = ["\(r.pluginSlug): \(r.status.rawValue)" + (r.version.map { " (version \($0))" } ?? "")]
            if r.exists {
                lines.append("files: \(r.files.expected) expected, \(r.files.missing.count) missing, \(r.files.modified.count) modified")
                lines += r.files.missing.map { "  missing  \($0)" } + r.files.modified.map { "  modified \($0)" }
                lines.append("modules: \(r.modulesStatus.loadedCount)/\(r.modulesStatus.expectedCount) loaded")
            }
            return lines.joined(separator: "\n")
        }
    }
}

struct RepairCommand: LifecycleDebugCommand {
    static let configuration = CommandConfiguration(commandName: "repair", abstract: "Restore a user's plugin files and module records.")
    @Argument var user: String
    @Argument var slug: String
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try perform({ service throws(LifecycleError) in try service.repair(user: user, slug: slug) }) { r in
            (["\(r.pluginSlug): \(r.oldStatus.rawValue) -> \(r.newStatus.rawValue)"] + r.repairActions.map { "  \($0)" })
                .joined(separator: "\n")
        }
    }
}

struct AvailableCommand: LifecycleDebugCommand {
    static let configuration = CommandConfiguration(commandName: "available", abstract: "List the catalog (with a user's installs).")
    @Option(help: "Show what this user has installed.") var user: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try perform({ service throws(LifecycleError) in
            try service.available(for: try user.map { raw throws(LifecycleError) in try UserID(raw) })
        }) { list in
            list.availablePlugins.keys.sorted().map { slug in
                let p = list.availablePlugins[slug]!
                let mark = p.installedVersion.map { "  [installed \($0)]" } ?? ""
                return "\(slug)  \(p.version)  (\(p.versions.joined(separator: ", ")))  \(p.name)\(mark)"
            }.joined(separator: "\n")
        }
    }
}

struct InfoCommand: LifecycleDebugCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a catalog entry.")
    @Argument var slug: String
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try perform({ service throws(LifecycleError) in try service.info(slug: slug) }) { info in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return "\(info.pluginSlug)\n" + String(decoding: (try? encoder.encode(info.pluginInfo)) ?? Data(), as: UTF8.self)
        }
    }
}

struct UpdateCommand: LifecycleDebugCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Move a user's plugin to another version (default: latest).")
    @Argument var user: String
    @Argument var slug: String
    @Option(help: "Target version (a lower one downgrades).") var version: String?
    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try perform({ service throws(LifecycleError) in
            try service.update(user: try UserID(user), slug: try LifecycleService.slug(slug),
                               version: try version.map { raw throws(LifecycleError) in try LifecycleService.version(raw) },
                               context: .cli)
        }) { r in
            "\(r.pluginSlug): \(r.previousVersion) -> \(r.newVersion)"
                + (r.modulesAdded.isEmpty ? "" : "\nadded: \(r.modulesAdded.joined(separator: ", "))")
                + (r.modulesRemoved.isEmpty ? "" : "\nremoved: \(r.modulesRemoved.joined(separator: ", "))")
        }
    }
}
