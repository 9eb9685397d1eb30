import Foundation
import LifecycleCore
@testable import Maintenance
import Testing

@Suite(.timeLimit(.minutes(10))) struct HotReadRestoreTests {
    /// The hot read connection holds the database like GRDB's do: a restore refuses to swap the
    /// file from under it, and once it is closed the restore goes ahead and reads see the restored rows.
    @Test func aRestoreNeverSwapsTheDatabaseUnderAHotConnection() throws {
        let a = try MaintenanceFixture(); defer { a.remove() }
        _ = try a.service.install(user: "u1", slug: "braindrive-network")
        _ = try BackupWriter(service: a.service).write(to: a.path("backup"))
        let b = try MaintenanceFixture(); defer { b.remove() }
        _ = try b.service.install(user: "other", slug: "braindrive-chat")
        // Status reads through this thread's hot connection; then GRDB's connections close, the hot one stays.
        #expect(try b.service.status(user: "other", slug: "braindrive-chat").status == .healthy)
        try b.service.database.pool.close()
        #expect(throws: MaintenanceError.liveDataDirectory(["a process (pid \(getpid())) has the database open (it holds SQLite's lock on \(b.root)/lifecycle.sqlite-shm)"])) {
            try BackupRestorer(source: a.path("backup"), dataDirectory: b.root, force: true).restore()
        }
        b.service.database.hot.close()
        _ = try BackupRestorer(source: a.path("backup"), dataDirectory: b.root, force: true).restore()
        let restored = try LifecycleService(dataDirectory: b.root, logger: MaintenanceFixture.quiet)
        #expect(try restored.status(user: "u1", slug: "braindrive-network").status == .healthy)
        #expect(try restored.status(user: "other", slug: "braindrive-chat").status == .notInstalled)
    }
}
