import ArgumentParser
import Foundation
import LifecycleCore

/// Bulk administration from the command line, with progress on a terminal.
struct BulkInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bulk-install", abstract: "Install a plugin for many users (each user all-or-nothing).")
    @Argument var slug: String
    @Option(help: "Comma-separated user ids.") var users: String
    @Option(help: "Version (default: latest).") var version: String?
    @OptionGroup var data: DataOptions

    func run() throws {
        let service = try data.openService(logger: makeLogger(level: .warning))
        let slug = try LifecycleService.slug(self.slug)
        let version = try version.map { raw throws(LifecycleError) in try LifecycleService.version(raw) }
        let ids = try parseUsers(users)
        let results = service.bulkInstall(slug: slug, users: ids, version: version, context: .cli) { done, user, result in
            Progress.report(done, of: ids.count, user, result.map { _ in "installed" })
        }
        try finish(results.map { ($0.0, $0.1.map { _ in () }) })
    }
}

struct BulkUninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bulk-uninstall", abstract: "Uninstall a plugin for many users.")
    @Argument var slug: String
    @Option(help: "Comma-separated user ids.") var users: String
    @OptionGroup var data: DataOptions

    func run() throws {
        let service = try data.openService(logger: makeLogger(level: .warning))
        let slug = try LifecycleService.slug(self.slug)
        let ids = try parseUsers(users)
        let results = service.bulkUninstall(slug: slug, users: ids, context: .cli) { done, user, result in
            Progress.report(done, of: ids.count, user, result.map { _ in "uninstalled" })
        }
        try finish(results.map { ($0.0, $0.1.map { _ in () }) })
    }
}

struct PurgeUserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "purge-user", abstract: "Remove every install, folder and share of a deleted user.")
    @Argument var user: String
    @OptionGroup var data: DataOptions

    func run() throws {
        let service = try data.openService(logger: makeLogger(level: .warning))
        let result = try service.purge(user: try UserID(user), context: .cli)
        print("purged \(result.userID): \(result.uninstalled.count) plugins (\(result.uninstalled.joined(separator: ", "))), \(result.sharesRemoved) shares")
    }
}

func parseUsers(_ text: String) throws -> [UserID] {
    let ids = try text.split(separator: ",").map { raw throws(LifecycleError) in try UserID(raw.trimmingCharacters(in: .whitespaces)) }
    guard !ids.isEmpty else { throw ValidationError("--users needs at least one user id") }
    return ids
}

func finish(_ results: [(UserID, Result<Void, LifecycleError>)]) throws {
    let failed = results.filter { if case .failure(let error) = $0.1, !Progress.isBenign(error) { return true }; return false }
    print("\(results.count - failed.count) of \(results.count) users done, \(failed.count) failed")
    if !failed.isEmpty { throw ExitCode.failure }
}

enum Progress {
    static let isTerminal = isatty(STDERR_FILENO) == 1

    static func isBenign(_ error: LifecycleError) -> Bool {
        switch error {
        case .alreadyInstalled, .notInstalled: true
        default: false
        }
    }

    /// One line per user; on a terminal a counter is redrawn in place instead.
    static func report(_ done: Int, of total: Int, _ user: UserID, _ result: Result<String, LifecycleError>) {
        let outcome: String
        switch result {
        case .success(let text): outcome = text
        case .failure(let error): outcome = isBenign(error) ? error.description : "FAILED: \(error.description)"
        }
        let line = "[\(done)/\(total)] \(user.value): \(outcome)"
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)\(done == total ? "\n" : "")".utf8))
        } else {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }
}
