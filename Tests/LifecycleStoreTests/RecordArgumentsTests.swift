import Foundation
import GRDB
@testable import LifecycleStore
import Testing

/// Every record's `arguments` bind its `columns` in order: a row inserted through the SQL seam reads
/// back exactly as the one GRDB inserts by column name (Codable's keys).
@Suite(.timeLimit(.minutes(10))) struct RecordArgumentsTests {
    @Test func argumentsFollowTheColumns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lc-args-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try LifecycleDatabase(path: dir + "/lifecycle.sqlite")
        try db.migrate()

        // Every optional column set and every value distinct, so that two swapped positions show.
        let plugin = PluginRow(id: "u_p", userID: "u", pluginSlug: "p", name: "name", version: "1.2.3", description: "desc",
                               author: "author", scope: "scope", bundleLocation: "bundle", enabled: false, installationType: "kind",
                               manifestJSON: "{}", operationID: "op", installedAt: "installed", updatedAt: "updated")
        let module = ModuleRow(id: "u_p_M", pluginID: "u_p", userID: "u", name: "M", displayName: "display", description: "desc",
                               icon: "icon", category: "cat", priority: 7, props: "props", configFields: "config",
                               requiredServices: "services", layout: "layout", tags: "tags", enabled: false,
                               createdAt: "created", updatedAt: "updated")
        let file = InstalledFileRow(pluginID: "u_p", path: "a.js", size: 1 << 40, sha256: "hash")
        var event = AuditEventRow(at: "at", actor: "actor", userID: "u", pluginSlug: "p", action: "install", fromVersion: "1",
                                  toVersion: "2", outcome: "success", requestID: "request", detail: "detail")
        event.id = 7
        let share = ShareRow(id: "s1", pluginSlug: "p", version: "1.2.3", fromUser: "u", toUser: "v", state: "declined",
                             createdAt: "created", updatedAt: "updated")

        func expectSameRow(_ table: String, _ insertByName: (Database) throws -> Void, _ sql: String, _ arguments: [SQLValue]) throws {
            try db.pool.write { try insertByName($0) }
            let byName = try db.pool.read { try Row.fetchAll($0, sql: "SELECT * FROM \(table)") }
            try db.pool.write { try $0.execute(sql: "DELETE FROM \(table)") }
            try db.write { try $0.execute(sql, arguments) }
            let byPosition = try db.pool.read { try Row.fetchAll($0, sql: "SELECT * FROM \(table)") }
            #expect(byName.count == 1 && byName == byPosition, "\(table)")
        }
        try expectSameRow("plugin", { try plugin.insert($0) }, PluginRow.insertSQL, plugin.arguments)
        try expectSameRow("module", { try module.insert($0) }, ModuleRow.insertSQL, module.arguments)
        try expectSameRow("installed_file", { try file.insert($0) }, InstalledFileRow.insertSQL, file.arguments)
        try expectSameRow("audit_event", { var copy = event; try copy.insert($0) }, AuditEventRow.insertSQL, event.arguments)
        try expectSameRow("share", { try share.insert($0) }, ShareRow.insertSQL, share.arguments)

        // And they decode back by position into the same records.
        #expect(try db.read { try $0.one("SELECT * FROM plugin", []) { try PluginRow(columns: $0) } } == plugin)
        #expect(try db.read { try $0.one("SELECT * FROM module", []) { try ModuleRow(columns: $0) } } == module)
        #expect(try db.read { try $0.one("SELECT * FROM audit_event", []) { try AuditEventRow(columns: $0) } } == event)
        #expect(try db.read { try $0.one("SELECT * FROM share", []) { try ShareRow(columns: $0) } } == share)
        #expect(try db.read { try $0.one("SELECT \(selection(InstalledFileRow.columns)) FROM installed_file", []) {
            try InstalledFileRow(columns: $0)
        } } == file)

        // The lease's hand-written column lists: takeLease's INSERT, and its UPDATE on a takeover.
        let counter = try db.pool.read { try Int64.fetchOne($0, sql: "SELECT generation FROM lease_counter") } ?? 0
        let lease = OperationLease(userID: "u", pluginSlug: "p", operationID: "op1", operation: "install", owner: "1:2",
                                   expiresAt: 123.5, ownerHost: "hA", generation: counter + 1)
        func leaseRows() throws -> [Row] { try db.pool.read { try Row.fetchAll($0, sql: "SELECT * FROM operation_lease") } }
        try db.pool.write { try lease.insert($0) }
        let leaseByName = try leaseRows()
        try db.pool.write { try $0.execute(sql: "DELETE FROM operation_lease") }
        let taken = try db.takeLease(lease, isLive: { _ in true })
        defer { LeaseKeeper.shared.forget("op1"); LeaseKeeper.shared.forget("op2") }
        let leaseByPosition = try leaseRows()
        #expect(taken.lease == lease && leaseByName.count == 1 && leaseByName == leaseByPosition, "operation_lease insert")
        let next = OperationLease(userID: "u", pluginSlug: "p", operationID: "op2", operation: "update", owner: "3:4",
                                  expiresAt: 456.5, ownerHost: "hB", generation: counter + 2)
        let takeover = try db.takeLease(next, isLive: { _ in false })
        #expect(takeover.stale == lease && takeover.lease == next)
        let updated = try leaseRows()
        try db.pool.write { try $0.execute(sql: "DELETE FROM operation_lease"); try next.insert($0) }
        let updatedByName = try leaseRows()
        #expect(updated == updatedByName, "operation_lease takeover")
        #expect(try db.lease(userID: "u", slug: "p") == next, "decoded back by position")

        // The full update of `put` writes every column but the id, by id.
        var changed = plugin
        changed.name = "renamed"; changed.enabled = true; changed.author = nil; changed.updatedAt = "later"
        try db.write { try $0.execute(PluginRow.updateSQL, changed.updateArguments) }
        #expect(try db.pool.read { try PluginRow.fetchOne($0, key: "u_p") } == changed)
    }
}
