import Foundation
import LifecycleCore
import Posix

/// Whether this user can do what the service does: write the folders, read and write the database.
/// Run `doctor` as the service's user: `access(2)` answers for the caller.
struct PermissionChecks {
    let doctor: Doctor

    func run(into findings: inout [Finding]) {
        let d = doctor.directory
        var problems = 0
        for folder in [d.root, d.pluginsRoot, d.stagingRoot, d.runRoot] where FileTree.kind(folder) != .missing {
            if access(folder, W_OK | X_OK) != 0 {
                problems += 1
                findings.append(Finding(.error, .permissions, "folder_not_writable", subject: folder,
                                        "not writable by this user (uid \(getuid())); operations would answer 503 storage_unavailable",
                                        remedy: "chown -R SERVICE_USER \(folder) (the user the pool runs as), or run doctor as that user"))
            }
        }
        for file in [d.databasePath, d.databasePath + "-wal", d.databasePath + "-shm"] where FileTree.kind(file) != .missing {
            if access(file, R_OK | W_OK) != 0 {
                problems += 1
                findings.append(Finding(.error, .permissions, "database_not_writable", subject: file,
                                        "not readable and writable by this user (uid \(getuid()))",
                                        remedy: "chown SERVICE_USER \(file) and its -wal and -shm (the user the pool runs as)"))
            }
        }
        if problems == 0 {
            findings.append(Finding(.ok, .permissions, "permissions", "folders writable, database readable and writable by uid \(getuid())"))
        }
    }
}
