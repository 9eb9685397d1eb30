import Foundation
import LifecycleCore
import Posix
import TokenAuth

/// The data directory's layout and mode, and its two secrets, HS256 and bundle URLs (presence, mode, strength).
struct ConfigurationChecks {
    let doctor: Doctor

    /// Returns false when there is no data directory at all: nothing else can be checked.
    func run(into findings: inout [Finding]) -> Bool {
        let root = doctor.directory.root
        switch FileTree.kind(root) {
        case .missing:
            findings.append(Finding(.error, .configuration, "data_dir_missing", subject: root, "the data directory does not exist",
                                    remedy: "create it with `plugin-lifecycle init --data-dir \(root)`, or pass the right --data-dir"))
            return false
        case .directory, .symlink:
            break
        default:
            findings.append(Finding(.error, .configuration, "data_dir_not_a_folder", subject: root, "the data directory is not a folder",
                                    remedy: "point --data-dir at the data folder"))
            return false
        }
        let rootStatus = FileTree.status(root, followingLinks: true)
        if rootStatus.kind != .missing {
            let mode = rootStatus.permissions & 0o777
            if mode & 0o002 != 0 {
                findings.append(Finding(.error, .configuration, "data_dir_world_writable", subject: root,
                                        "the data directory is world-writable (mode \(octal(mode))); the service refuses to start",
                                        remedy: "chmod 750 \(root)"))
            } else if mode & 0o005 != 0 {
                findings.append(Finding(.warning, .configuration, "data_dir_world_readable", subject: root,
                                        "the data directory is readable by every user (mode \(octal(mode))); it holds the secret and every user's plugins",
                                        remedy: "chmod 750 \(root)"))
            }
        }
        var missing: [String] = []
        // On PostgreSQL the rows are on the server: no SQLite file is expected.
        let database = doctor.onPostgres ? [] : [("lifecycle.sqlite", doctor.directory.databasePath)]
        for (name, path) in [("plugins/", doctor.directory.pluginsRoot), ("staging/", doctor.directory.stagingRoot)] + database
            where FileTree.kind(path) == .missing {
            missing.append(name)
        }
        let restores = ((try? FileTree.entries(root)) ?? []).filter { $0.hasPrefix(".restore-") }
        let interrupted = restores.filter { $0.hasSuffix("-previous") && RestoreRecord.read(root + "/" + $0)?.state != .completed }
        let strandedCompanions = BackupRestorer.databaseCompanions.filter { FileTree.kind(root + "/" + $0) == .regular }
        if missing.isEmpty {
            findings.append(Finding(.ok, .configuration, "layout", subject: root, "layout present (\(doctor.onPostgres ? "" : "lifecycle.sqlite, ")plugins/, staging/)"))
        } else if !interrupted.isEmpty || (missing.contains("lifecycle.sqlite") && !strandedCompanions.isEmpty) {
            // `init` would create an empty database, and SQLite would read a displaced -wal into it.
            findings.append(Finding(.error, .configuration, "layout_incomplete", subject: root,
                                    "missing: \(missing.joined(separator: ", "))" + (strandedCompanions.isEmpty ? "" : "; \(strandedCompanions.joined(separator: ", ")) left without its database"),
                                    remedy: "do not run init: " + (interrupted.isEmpty
                                        ? "find the database these files belong to and put it back, or move them away if it is lost"
                                        : "put back the data an interrupted restore moved aside (see the interrupted_restore finding)")))
        } else {
            findings.append(Finding(.error, .configuration, "layout_incomplete", subject: root,
                                    "missing: \(missing.joined(separator: ", "))",
                                    remedy: doctor.command("init") + " (idempotent: it creates what is missing)"))
        }
        for name in restores {
            let folder = root + "/" + name
            if name.hasSuffix("-replaced") {
                findings.append(Finding(.warning, .configuration, "interrupted_restore", subject: folder,
                                        "what putting back the data before a restore moved out of the way",
                                        remedy: "once the data directory is what you want, rm -rf \(folder)"))
                continue
            }
            guard name.hasSuffix("-previous") else {
                // `restore` builds in `.restore-ID`; left behind, it is a copy of a backup and nothing else.
                findings.append(Finding(.warning, .configuration, "interrupted_restore", subject: folder,
                                        "the staging folder of an interrupted restore (a copy of the backup)", remedy: "rm -rf \(folder)"))
                continue
            }
            let record = RestoreRecord.read(folder)
            let held = ((try? FileTree.entries(folder)) ?? []).filter { $0 != RestoreRecord.fileName }
            if record?.state == .completed {
                findings.append(Finding(.warning, .configuration, "restore_previous_kept", subject: folder,
                                        "the data a finished restore replaced (\(held.joined(separator: ", "))), kept in case the restore was wrong",
                                        remedy: "once the restored data is what you want, rm -rf \(folder)"))
                continue
            }
            // Put back only what is still in the folder: the entries the interrupted swap had moved.
            let recorded = record?.entries ?? held
            let entries = recorded.filter { held.contains($0) }
            let commands = RestoreRecord.putBackCommands(folder: folder, entries: entries, recorded: recorded, dataDirectory: root)
            findings.append(Finding(.warning, .configuration, "interrupted_restore", subject: folder,
                                    "entries an interrupted restore moved aside, the data before it: \(entries.joined(separator: ", "))",
                                    remedy: "with the pool stopped, to go back to that data: \(commands.joined(separator: "; ")); then \(doctor.cli("doctor")). "
                                        + "To keep what is in the data directory instead: rm -rf \(folder)"))
        }
        checkSecret(into: &findings)
        checkBundleSecret(into: &findings)
        return true
    }

    private func checkSecret(into findings: inout [Finding]) {
        let path = doctor.secretPath
        guard FileTree.status(path).kind != .missing else {
            findings.append(Finding(.error, .configuration, "secret_missing", subject: path,
                                    "no HS256 secret file; `serve` cannot verify tokens without it (unless it is given --jwt-public-key-file)",
                                    remedy: doctor.command("init") + " (generates one), or pass --jwt-secret-file"))
            return
        }
        checkMode(of: path, code: "secret", name: "secret", exposure: "anyone on the host can mint tokens",
                  remedy: "chmod 600 \(path), then replace the secret (tokens signed with it may have leaked)", into: &findings)
        do {
            try SecretPolicy.validate(try SecretPolicy.readSecret(path: path), allowInsecure: false)
            findings.append(Finding(.ok, .configuration, "secret", subject: path, "secret present and strong enough (32 bytes or more)"))
        } catch {
            findings.append(Finding(.error, .configuration, "secret_weak", subject: path,
                                    "the secret is refused by `serve`: \(error)",
                                    remedy: "replace it with at least 32 random bytes (e.g. `openssl rand -hex 32 > \(path)`), then restart the pool"))
        }
    }

    /// The key of signed bundle URLs. Missing is fine: `serve` makes it at start.
    private func checkBundleSecret(into findings: inout [Finding]) {
        let path = doctor.bundleSecretPath
        // Replacing it voids only the bundle URLs handed out so far: pages fetch new ones.
        let replace = "replace it: `(umask 077 && openssl rand -hex 32 > \(path).new) && mv \(path).new \(path)`, "
            + "then roll the pool (systemctl reload, or SIGHUP to the master); live bundle URLs stop working"
        guard FileTree.status(path).kind != .missing else {
            findings.append(Finding(.ok, .configuration, "bundle_secret", subject: path,
                                    "no bundle URL secret yet; `serve` makes one when it starts"))
            return
        }
        checkMode(of: path, code: "bundle_secret", name: "bundle URL secret",
                  exposure: "anyone on the host can sign URLs to every user's plugin files",
                  remedy: replace, into: &findings)
        do {
            let jwtSecret = try? SecretPolicy.readSecret(path: doctor.secretPath)
            try SecretPolicy.validateBundleSecret(try SecretPolicy.readSecret(path: path), jwtSecret: jwtSecret)
            findings.append(Finding(.ok, .configuration, "bundle_secret", subject: path,
                                    "bundle URL secret present, 32 bytes or more, and not the JWT secret"))
        } catch {
            findings.append(Finding(.error, .configuration, "bundle_secret_weak", subject: path,
                                    "the bundle URL secret is refused by `serve`: \(error)", remedy: replace))
        }
    }

    /// Readable by every user: an error (`{code}_world_readable`); open to the group: a warning.
    private func checkMode(of path: String, code: String, name: String, exposure: String, remedy: String,
                           into findings: inout [Finding]) {
        let mode = FileTree.status(path).permissions
        if mode & 0o004 != 0 {
            findings.append(Finding(.error, .configuration, code + "_world_readable", subject: path,
                                    "the \(name) file is readable by every user (mode \(octal(mode))): \(exposure)", remedy: remedy))
        } else if mode & 0o070 != 0 {
            findings.append(Finding(.warning, .configuration, code + "_group_access", subject: path,
                                    "the \(name) file is open to its group (mode \(octal(mode)))", remedy: "chmod 600 \(path)"))
        }
    }
}

func octal(_ mode: mode_t) -> String { String(mode, radix: 8) }
