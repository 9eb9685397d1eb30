import Foundation
import LifecycleCore
import LifecycleStore
import PluginCatalog
import Posix

/// Whether the rows and the folders agree: every row's folder holds the files recorded at install
/// (SHA-256 of each, the check `status --full` makes), every folder has a row, and nothing is left
/// of interrupted operations (their leases and staging folders).
struct AgreementChecks {
    let doctor: Doctor
    let service: LifecycleService

    private struct Leases {
        var live: Set<String> = []          // user/slug
        var liveOperations: Set<String> = []
        var abandoned: [OperationLease] = []
    }

    func run(into findings: inout [Finding]) {
        let rows: [(user: String, slug: String)]
        let leases: Leases
        do {
            rows = try service.database.allPluginKeys().map { ($0.userID, $0.slug) }
            var found = Leases()
            for lease in try service.database.allLeases() {
                if LifecycleService.leaseIsLive(lease) {
                    found.live.insert(lease.userID + "/" + lease.pluginSlug)
                    found.liveOperations.insert(lease.operationID)
                } else {
                    found.abandoned.append(lease)
                }
            }
            leases = found
        } catch {
            findings.append(Finding(.error, .plugins, "rows_unreadable", "cannot read the plugin rows: \(error)",
                                    remedy: "see the database findings above"))
            return
        }
        for lease in leases.abandoned {
            findings.append(Finding(.warning, .plugins, "interrupted_operation", subject: "\(lease.userID)/\(lease.pluginSlug)",
                                    "an interrupted \(lease.operation) still holds the lease (its process is gone or it expired)",
                                    remedy: doctor.command("status \(lease.userID) \(lease.pluginSlug)") + " (rolls it back), or restart `serve`"))
        }
        checkRows(rows, leases: leases, into: &findings)
        checkDependencies(into: &findings)
        checkFolders(rows: Set(rows.map { $0.user + "/" + $0.slug }), leases: leases, into: &findings)
        checkStaging(leases: leases, into: &findings)
    }

    private func checkRows(_ rows: [(user: String, slug: String)], leases: Leases, into findings: inout [Finding]) {
        let catalog = service.catalog.current
        var healthy = 0
        var inFlight = 0
        let users = rows.reduce(into: [String]()) { if $0.last != $1.user { $0.append($1.user) } }
        for rawUser in users {
            guard let user = try? UserID(rawUser) else {
                findings.append(Finding(.error, .plugins, "invalid_user_id", subject: rawUser, "rows carry a user id the service never writes",
                                        remedy: "delete those rows, or restore a backup"))
                continue
            }
            let reports: [StatusReport]
            do { reports = try service.committedStatuses(user: user, verify: .full) } catch {
                findings.append(Finding(.error, .plugins, "rows_unreadable", subject: rawUser, "cannot check: \(error)",
                                        remedy: "see the database findings above"))
                continue
            }
            for first in reports {
                let subject = "\(user)/\(first.pluginSlug)"
                if leases.live.contains(subject) { inFlight += 1; continue }  // an operation owns it right now
                guard let report = first.status == .healthy ? first : confirmed(user, first.pluginSlug) else {
                    inFlight += 1
                    continue
                }
                let repair = doctor.command("repair \(user) \(report.pluginSlug)")
                guard let slug = try? PluginSlug(report.pluginSlug) else { continue }
                let folder = doctor.directory.installedFolder(user: user, slug: slug)
                if let version = report.version.flatMap(SemanticVersion.init), catalog.package(slug, version: version) == nil {
                    findings.append(Finding(.warning, .plugins, "version_not_in_catalog", subject: subject,
                                            "version \(version) is installed but no longer in the catalog: repair cannot restore its files",
                                            remedy: "publish that version again, or " + doctor.cli("update \(user) \(slug)") + " to a listed one"))
                }
                switch report.status {
                case .healthy, .notInstalled:
                    healthy += 1
                case _ where FileTree.kind(folder) != .directory:
                    findings.append(Finding(.error, .plugins, "row_without_folder", subject: subject,
                                            "installed (version \(report.version ?? "?")) but \(folder) is \(FileTree.kind(folder) == .missing ? "missing" : "not a real folder")",
                                            remedy: repair + " (copies the files again), or " + doctor.cli("uninstall \(user) \(slug)")))
                case .filesMissing:
                    findings.append(Finding(.error, .plugins, "files_missing", subject: subject,
                                            "\(report.files.missing.count) of \(report.files.expected) files missing: \(Self.sample(report.files.missing))",
                                            remedy: repair))
                case .filesModified:
                    findings.append(Finding(.error, .plugins, "files_modified", subject: subject,
                                            "\(report.files.modified.count) files differ from what was installed: \(Self.sample(report.files.modified))",
                                            remedy: repair))
                case .modulesCorrupted:
                    findings.append(Finding(.error, .plugins, "modules_corrupted", subject: subject,
                                            "\(report.modulesStatus.loadedCount) of \(report.modulesStatus.expectedCount) module records present",
                                            remedy: repair))
                }
            }
        }
        findings.append(Finding(.ok, .plugins, "plugins_checked",
                                "\(rows.count) installed plugins of \(users.count) users checked (SHA-256 of every file): \(healthy) healthy"
                                + (inFlight > 0 ? ", \(inFlight) under an operation right now (not checked)" : "")))
    }

    /// The pool keeps working while doctor looks: a plugin that looks broken may be one whose folder
    /// an operation is swapping. Its status counts only if no lease was held and its row did not
    /// change from before the look to after it; nil when that never happened in three tries.
    private func confirmed(_ user: UserID, _ slug: String) -> StatusReport? {
        func state() -> (leased: Bool, operationID: String?)? {
            do {
                let lease = try service.database.lease(userID: user.value, slug: slug)
                let row = try service.database.installedPlugin(userID: user.value, slug: slug)
                return (lease.map { LifecycleService.leaseIsLive($0) } ?? false, row?.plugin.operationID)
            } catch {
                return nil
            }
        }
        for _ in 0..<3 {
            let before = state()
            let report = (try? service.committedStatuses(user: user, verify: .full))?.first { $0.pluginSlug == slug }
            let after = state()
            if let before, let after, !before.leased, !after.leased, before.operationID == after.operationID {
                return report
            }
            usleep(50_000)
        }
        return nil
    }

    /// Whether a live operation holds the plugin's lease now.
    private func isUnderOperation(_ user: UserID, _ slug: String) -> Bool {
        guard let lease = try? service.database.lease(userID: user.value, slug: slug) else { return false }
        return LifecycleService.leaseIsLive(lease)
    }

    /// Every dependency an installed plugin's manifest names is installed for the same user, at a
    /// version its range accepts: an install or update brings them, an update that would leave a
    /// range is refused, an uninstall refuses (or cascades) while something needs one, so a gap
    /// means rows written or restored by hand. Read in one transaction: operations commit a plugin
    /// and its dependencies together, so a consistent read never shows a gap in flight.
    private func checkDependencies(into findings: inout [Finding]) {
        guard let rows = try? service.database.allInstalledManifests()
            .map({ (user: $0.userID, slug: $0.pluginSlug, version: $0.version, manifest: $0.manifestJSON) }) else { return }  // rows_unreadable was reported above
        var installed: [String: String] = [:]
        for row in rows { installed[row.user + "/" + row.slug] = row.version }
        let catalog = service.catalog.current
        for row in rows {
            guard let manifest = try? JSONDecoder().decode(PluginManifest.self, from: Data(row.manifest.utf8)) else { continue }
            let subject = "\(row.user)/\(row.slug)"
            for (dependency, rangeText) in manifest.dependencies.sorted(by: { $0.key < $1.key }) {
                let slug = try? PluginSlug(dependency)
                let needed = slug?.value ?? dependency
                guard let version = installed[row.user + "/" + needed] else {
                    findings.append(Finding(.error, .plugins, "missing_dependency", subject: subject,
                                            "needs \(needed), which \(row.user) does not have installed",
                                            remedy: doctor.command("install \(row.user) \(needed)") + ", or " + doctor.cli("uninstall \(row.user) \(row.slug)")))
                    continue
                }
                // Publishing refuses a manifest whose range does not parse, and the service writes
                // only versions that do: a row with either was written by hand, and there is no
                // range to judge it by.
                guard let range = try? VersionRange(rangeText), let current = SemanticVersion(version),
                      !range.contains(current) else { continue }
                let target = slug.flatMap { catalog.entry($0)?.newest(satisfying: range) }
                // Either side may move: the dependency into the range (update refuses if that would
                // break another plugin's range), or the dependent to a version that accepts it.
                let remedy = (target.map { doctor.command("update \(row.user) \(needed) --version \($0.version)") }
                    ?? "no catalog version of \(needed) satisfies \(rangeText): publish one")
                    + ", or " + doctor.cli("update \(row.user) \(row.slug)") + " if a newer \(row.slug) accepts \(needed) \(version)"
                findings.append(Finding(.error, .plugins, "dependency_out_of_range", subject: subject,
                                        "needs \(needed) \(rangeText), but \(row.user) has \(version) installed",
                                        remedy: remedy))
            }
        }
    }

    /// Folders under plugins/ that no row names.
    private func checkFolders(rows: Set<String>, leases: Leases, into findings: inout [Finding]) {
        let pluginsRoot = doctor.directory.pluginsRoot
        guard FileTree.kind(pluginsRoot) == .directory, let userNames = try? FileTree.entries(pluginsRoot) else { return }
        let abandoned = Set(leases.abandoned.map { $0.userID + "/" + $0.pluginSlug })
        var orphans = 0
        for userName in userNames where !userName.hasPrefix(".") {
            let userFolder = pluginsRoot + "/" + userName
            guard let user = try? UserID(userName), user.value == userName else {
                findings.append(Finding(.warning, .plugins, "unexpected_entry", subject: userFolder, "not a user id: the service never made it",
                                        remedy: "move it out of plugins/ (it holds installed copies and nothing else)"))
                continue
            }
            // Listed a moment ago and gone now (ENOENT, not any failure): the user's last plugin
            // was just uninstalled.
            var st = stat()
            if lstat(userFolder, &st) != 0 && errno == ENOENT { continue }
            guard FileTree.kind(userFolder) == .directory else {
                findings.append(Finding(.error, .plugins, "user_folder_not_a_folder", subject: userFolder,
                                        "is a link or a file; the service refuses to follow it (503 storage_unavailable for this user)",
                                        remedy: "remove \(userFolder), then repair the user's plugins"))
                continue
            }
            for slugName in (try? FileTree.entries(userFolder)) ?? [] where !slugName.hasPrefix(".") {
                let path = userFolder + "/" + slugName
                let key = userName + "/" + slugName
                if rows.contains(key) || leases.live.contains(key) { continue }
                guard let slug = try? PluginSlug(slugName), slug.value == slugName else {
                    findings.append(Finding(.warning, .plugins, "unexpected_entry", subject: path, "not a plugin slug: the service never made it",
                                            remedy: "move it out of plugins/"))
                    continue
                }
                // An install that started after the leases were read has its folder in place before its row.
                if isUnderOperation(user, slug.value) || FileTree.kind(path) == .missing
                    || (try? service.database.healthRows(userID: userName, slug: slug.value)) != nil { continue }
                orphans += 1
                if abandoned.contains(key) {
                    findings.append(Finding(.warning, .plugins, "uncommitted_folder", subject: key,
                                            "folder of an interrupted operation that never committed",
                                            remedy: doctor.command("status \(userName) \(slug)") + " (rolls it back)"))
                } else {
                    findings.append(Finding(.warning, .plugins, "orphan_folder", subject: key,
                                            "\(path) has no row: the service does not know it is there",
                                            remedy: "remove the folder \(path), or " + doctor.cli("install \(userName) \(slug)") + " (replaces it with a recorded copy)"))
                }
            }
        }
        if orphans == 0 {
            findings.append(Finding(.ok, .plugins, "folders", "every plugin folder has a row"))
        }
    }

    /// Staging folders that no live operation owns: what an interrupted operation left.
    private func checkStaging(leases: Leases, into findings: inout [Finding]) {
        let root = doctor.directory.stagingRoot
        guard FileTree.kind(root) == .directory, let names = try? FileTree.entries(root) else { return }
        var leftovers = 0
        for name in names {
            let path = root + "/" + name
            if name.hasSuffix(LifecycleService.removingStagingSuffix) {
                leftovers += 1
                findings.append(Finding(.warning, .staging, "leftover_staging", subject: path, "half-removed staging folder of a finished operation",
                                        remedy: "remove \(path) (the next operation or `serve` also does)"))
            } else if let record = LifecycleService.stagingRecord(inFolder: path) {
                // A live operation's own folder; an abandoned one's lease was reported above.
                if leases.liveOperations.contains(record.operationID)
                    || leases.abandoned.contains(where: { $0.operationID == record.operationID }) { continue }
                leftovers += 1
                findings.append(Finding(.warning, .staging, "interrupted_operation", subject: "\(record.userID)/\(record.pluginSlug)",
                                        "staging folder \(name) of an interrupted \(record.operation)",
                                        remedy: doctor.command("status \(record.userID) \(record.pluginSlug)") + " (rolls it back and removes it), or restart `serve`"))
            } else {
                leftovers += 1
                findings.append(Finding(.warning, .staging, "leftover_staging", subject: path, "staging folder without an operation record",
                                        remedy: "remove \(path) when no operation runs (`serve` removes it at start-up)"))
            }
        }
        if leftovers == 0 {
            findings.append(Finding(.ok, .staging, "staging", "no leftover of an interrupted operation"))
        }
    }

    static func sample(_ paths: [String]) -> String {
        paths.prefix(5).joined(separator: ", ") + (paths.count > 5 ? ", …" : "")
    }
}
