/// `migrate-store`'s copy of a single-host SQLite store into PostgreSQL: every row of
/// ``CopiedTable/all``, ids kept, in one PostgreSQL transaction that commits only once the
/// target reads back as the source (counts and ordered checksums). A rerun finds the target
/// identical and copies nothing; a target with other rows is refused.
///
/// The caller makes sure no pool uses the SQLite store (LiveUse); the copy itself refuses while
/// an operation lease exists, since the interrupted operation's rollback reads this store.
package enum StoreCopy {
    /// What the copy did, or (a dry run) would do.
    package enum Outcome: String, Sendable, Codable {
        /// A dry run: the target is empty and would receive these rows.
        case wouldCopy = "would copy"
        case copied
        /// The target already holds exactly the source's rows: nothing to do.
        case alreadyMigrated = "already migrated"
    }

    package struct Report: Sendable, Codable {
        package let outcome: Outcome
        /// The source's tables (the target's equal them once copied).
        package let tables: [TableTally]
    }

    /// Copies `source` (SQLite) into `target` (PostgreSQL) when `apply`; otherwise reads both and
    /// says what it would do. Only an applied copy changes the target (its schema, then its rows).
    package static func run(from source: LifecycleDatabase, to target: LifecycleDatabase, apply: Bool) throws -> Report {
        guard source.engine is SQLiteEngine, target.engine is PostgresEngine else { throw StoreCopyError.wrongStores }
        let schema = try source.schemaState()
        guard schema.isCurrent else { throw StoreCopyError.sourceNotCurrent(schema) }
        let tallies = try source.read { db in try check(db) }
        guard apply else {
            let existing = try target.read { db in try targetHasSchema(db) ? try targetTallies(db) : nil }
            guard let existing else { return Report(outcome: .wouldCopy, tables: tallies) }
            return Report(outcome: try compare(existing, tallies) ? .alreadyMigrated : .wouldCopy, tables: tallies)
        }
        try target.migrate()
        let outcome = try target.write { db -> Outcome in
            if try compare(try targetTallies(db), tallies) {
                // The counters still move (never back): ids an empty source once gave stay given.
                try source.read { from in try moveCounters(from, into: db) }
                return .alreadyMigrated
            }
            try source.read { from in try copy(from, into: db) }
            // Throwing rolls the whole copy back.
            try verify(db, against: tallies)
            return .copied
        }
        return Report(outcome: outcome, tables: tallies)
    }

    /// Throws ``StoreCopyError/verificationFailed(_:)`` unless `target` reads back as `expected`,
    /// table by table (row counts and ordered checksums).
    static func verify(_ target: any SQLTransaction, against expected: [TableTally]) throws {
        let found = try CopiedTable.all.map { try $0.tally(target) }
        let differences = zip(expected, found).filter { $0 != $1 }.map { expected, found in
            "\(expected.table): \(expected.rows) rows, \(found.rows) in the target" + (expected.rows == found.rows ? " with other values" : "")
        }
        guard differences.isEmpty else { throw StoreCopyError.verificationFailed(differences) }
    }

    /// The source's refusals (leases, text with NUL) and, when it passes, its tallies.
    static func check(_ db: any SQLTransaction) throws -> [TableTally] {
        let leases = try LifecycleDatabase.allLeases(db)
        guard leases.isEmpty else {
            throw StoreCopyError.leasesHeld(leases.map { "\($0.operation) of \($0.userID)/\($0.pluginSlug)" }.sorted())
        }
        for table in CopiedTable.all {
            if let row = try db.one(table.firstRowWithNUL, [], { try $0.text(0) }) {
                throw StoreCopyError.textWithNUL(table: table.name, row: row)
            }
        }
        return try CopiedTable.all.map { try $0.tally(db) }
    }

    /// Whether the target is empty (false) or already holds exactly `source` (true); anything
    /// else is refused, leases included (a pool already runs on the target).
    static func compare(_ target: (tallies: [TableTally], leases: Int), _ source: [TableTally]) throws -> Bool {
        if target.leases == 0 && target.tallies == source { return true }
        let filled = target.tallies.filter { $0.rows > 0 }.map { "\($0.table): \($0.rows) rows" }
            + (target.leases > 0 ? ["operation_lease: \(target.leases) rows"] : [])
        guard filled.isEmpty else { throw StoreCopyError.targetHoldsOtherData(filled) }
        return false
    }

    static func targetHasSchema(_ db: any SQLTransaction) throws -> Bool {
        try db.one(PostgresSchema.hasMigrationTable, []) { try $0.bool(0) } ?? false
    }

    static func targetTallies(_ db: any SQLTransaction) throws -> (tallies: [TableTally], leases: Int) {
        let leases = try db.one("SELECT count(*) FROM operation_lease", []) { try $0.integer(0) } ?? 0
        return (try CopiedTable.all.map { try $0.tally(db) }, Int(leases))
    }

    /// Inserts every source row (SQLite) into PostgreSQL, then moves the target's counters past
    /// the copied ones: the audit id sequence (past SQLite's AUTOINCREMENT high mark, so no id is
    /// given twice) and the lease generation.
    static func copy(_ source: any SQLTransaction, into target: any SQLTransaction) throws {
        try copyRows(source, into: target)
        try moveCounters(source, into: target)
    }

    /// The audit id sequence and the lease generation, past the source's; never lowered.
    static func moveCounters(_ source: any SQLTransaction, into target: any SQLTransaction) throws {
        let highestAudit = try source.one("""
            SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_event'), 0),
                       coalesce((SELECT max(id) FROM audit_event), 0))
            """, []) { try $0.integer(0) } ?? 0
        // is_called false: the next id is exactly this value. Never lowered (GREATEST with the
        // sequence's own next value): a sequence change survives a ROLLBACK, so a lowered one
        // would collide with the ids a failed restore left in place, and ids once given (cursors
        // a client holds) are never given again.
        _ = try target.one("""
            SELECT setval(pg_get_serial_sequence('audit_event', 'id'),
                          GREATEST(?, nextval(pg_get_serial_sequence('audit_event', 'id'))), false)
            """, [.integer(highestAudit + 1)]) { _ in () }
        try copyLeaseGeneration(source, into: target)
    }

    /// Every row of ``CopiedTable/all``, parents first, ids kept: the part of a copy that is the same
    /// in both directions (SQLite's AUTOINCREMENT follows inserted ids by itself).
    static func copyRows(_ source: any SQLTransaction, into target: any SQLTransaction) throws {
        for table in CopiedTable.all {
            try source.forEachRow(table.select, []) { row in try target.execute(table.insert, try table.values(row)) }
        }
    }

    /// Lease generations never repeat on the target either.
    static func copyLeaseGeneration(_ source: any SQLTransaction, into target: any SQLTransaction) throws {
        let generation = try source.one("SELECT generation FROM lease_counter WHERE id = 1", []) { try $0.integer(0) } ?? 0
        try target.execute("UPDATE lease_counter SET generation = CASE WHEN generation > ? THEN generation ELSE ? END WHERE id = 1",
                           [.integer(generation), .integer(generation)])
    }
}
