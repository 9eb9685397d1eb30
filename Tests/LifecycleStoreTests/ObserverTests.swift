import Foundation
import GRDB
@testable import LifecycleStore
import Testing

/// What a worker's log and metrics hear from the store: committed audit events only, and lock waits.
@Suite(.timeLimit(.minutes(10))) struct ObserverTests {
    final class Heard: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [AuditEventRow] = []
        private var waits = 0
        func add(_ event: AuditEventRow) { lock.withLock { events.append(event) } }
        func waited() { lock.withLock { waits += 1 } }
        var all: [AuditEventRow] { lock.withLock { events } }
        var busyWaits: Int { lock.withLock { waits } }
    }

    func open(_ heard: Heard, busyTimeout: TimeInterval = 5) throws -> (LifecycleDatabase, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lc-observer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try LifecycleDatabase(path: dir + "/lifecycle.sqlite", busyTimeout: busyTimeout,
                                       observer: DatabaseObserver(auditCommitted: { heard.add($0) }, busyWait: { heard.waited() }))
        try db.migrate()
        return (db, dir)
    }

    func event(_ action: String) -> AuditEventRow {
        AuditEventRow(at: "t", actor: "u1", userID: "u1", pluginSlug: "p", action: action, fromVersion: nil,
                      toVersion: "1.0.0", outcome: "success", requestID: "r1")
    }

    @Test func onlyCommittedEventsAreHeard() throws {
        let heard = Heard()
        let (db, dir) = try open(heard); defer { try? FileManager.default.removeItem(atPath: dir) }
        try db.record(event("install"))
        #expect(heard.all.map(\.action) == ["install"])
        #expect(heard.all.first?.id != nil, "the event as inserted, with its id")
        // A share offer for a plugin the sender lacks throws inside the transaction: rolled back, not heard.
        let share = ShareRow(id: "s1", pluginSlug: "p", version: "1.0.0", fromUser: "u1", toUser: "u2", state: "pending",
                             createdAt: "t", updatedAt: "t")
        #expect(throws: (any Error).self) { _ = try db.offer([share], audits: [event("share")]) }
        #expect(heard.all.map(\.action) == ["install"])
    }

    @Test func aWaitForTheWriteLockIsCountedOnceAndStillSucceeds() throws {
        let heard = Heard()
        let (db, dir) = try open(heard); defer { try? FileManager.default.removeItem(atPath: dir) }
        // Another connection (as another worker process would) holds the write lock until the
        // record has started waiting for it.
        let other = try DatabaseQueue(path: dir + "/lifecycle.sqlite")
        let locked = DispatchSemaphore(value: 0)
        let holder = Thread {
            try? other.inDatabase { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                locked.signal()
                let hangGuard = Date().addingTimeInterval(60)
                while heard.busyWaits == 0 && Date() < hangGuard { usleep(5_000) }
                usleep(20_000)  // a few retries into the wait: still one wait counted
                try db.execute(sql: "COMMIT")
            }
        }
        holder.start()
        locked.wait()
        try db.record(event("install"))
        #expect(heard.busyWaits == 1, "one wait, however many retries it took")
        #expect(heard.all.count == 1)
    }

    @Test func theBackOffIsSQLitesOwn() {
        // sqliteDefaultBusyCallback's totals before each try (os_unix: delays 1,2,5,10,15,20,25,25,25,50,50,100 ms).
        let totals = [0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228, 328, 428]
        #expect((0..<totals.count).map { BusyWait.waitedMillis(beforeTry: $0) } == totals)
    }

    @Test func theWaitGivesUpAtTheTimeoutAsSQLiteWould() throws {
        let heard = Heard()
        let (db, dir) = try open(heard, busyTimeout: 0.2); defer { try? FileManager.default.removeItem(atPath: dir) }
        let other = try DatabaseQueue(path: dir + "/lifecycle.sqlite")
        try other.inDatabase { otherDB in
            try otherDB.execute(sql: "BEGIN IMMEDIATE")
            let started = ContinuousClock.now
            #expect(throws: StoreError.busy) { try db.record(event("install")) }
            let waited = ContinuousClock.now - started
            // The lower bound is the behaviour (it must not give up before its timeout); no upper
            // bound: a loaded machine only makes the wait longer.
            #expect(waited >= .milliseconds(150), "\(waited)")
            try otherDB.execute(sql: "ROLLBACK")
        }
        #expect(heard.busyWaits == 1 && heard.all.isEmpty)
    }
}
