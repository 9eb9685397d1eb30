/// Why `migrate-store` copies nothing; the CLI prints `description`.
package enum StoreCopyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The copy goes from a SQLite store to a PostgreSQL one, no other way.
    case wrongStores
    /// Operation leases exist: an operation was interrupted, and its rollback needs this store.
    case leasesHeld([String])
    /// The target holds rows that differ from the source's: never merged, never overwritten.
    case targetHoldsOtherData([String])
    /// PostgreSQL's text cannot hold a NUL byte, which SQLite's can.
    case textWithNUL(table: String, row: String)
    /// The copy read back from the target does not match the source (nothing was committed).
    case verificationFailed([String])
    /// The source is not at this build's schema.
    case sourceNotCurrent(SchemaState)

    package var description: String {
        switch self {
        case .wrongStores:
            return "migrate-store copies the data directory's SQLite store into a PostgreSQL database"
        case .leasesHeld(let leases):
            return "operations were interrupted (\(leases.joined(separator: "; "))): run recovery first (start the pool once on SQLite and stop it; its start-up rolls them back), then migrate"
        case .targetHoldsOtherData(let tables):
            return "the target database already holds other data (\(tables.joined(separator: "; "))); migrate into an empty database"
        case .textWithNUL(let table, let row):
            return "\(table) row \(row) holds text with a NUL byte, which PostgreSQL cannot store; correct or remove that row, then migrate"
        case .verificationFailed(let tables):
            return "the copy did not read back as the source (\(tables.joined(separator: "; "))); nothing was committed"
        case .sourceNotCurrent(let state):
            if !state.unknown.isEmpty {
                return "the SQLite store has migrations this build does not know (\(state.unknown.joined(separator: ", "))); migrate with the newer build that wrote it"
            }
            return "the SQLite store is not migrated (\(state.pending.joined(separator: ", ")) pending); run `plugin-lifecycle init` with this build first"
        }
    }
}
