import Foundation
import PluginCatalog
import Posix

/// The catalog as a long-running process sees it: loaded once, reloaded when the folder's
/// cheap signature changes (checked at most once per `recheckInterval`), so a publish shows up
/// without a restart and a request never hashes files.
package final class CatalogSource: Sendable {
    package let root: URL
    private let recheckInterval: Double

    private struct State {
        var index: CatalogIndex
        var signature: String
        var checkedAt: Double
        var generation = 0
        /// Checks of the folder are numbered as they start; the result kept is the latest-started
        /// one's, so two threads reloading across a publish can never put the older index back.
        var checksStarted = 0
        var keptCheck = 0
    }
    private let state: Locked<State>

    package init(root: URL, recheckInterval: Double = 1) {
        self.root = root
        self.recheckInterval = recheckInterval
        let signature = CatalogIndex.quickSignature(root: root)
        state = Locked(State(index: CatalogIndex.load(root: root), signature: signature, checkedAt: Date().timeIntervalSince1970))
    }

    package var current: CatalogIndex { snapshot.index }

    /// The current index with its generation, which grows at every reload: what is derived from
    /// the catalog (the `available` list) is cached until the generation moves.
    package var snapshot: (index: CatalogIndex, generation: Int) { load(force: false) }

    /// The index as the folder is now, whatever the interval. For operations that pick a version:
    /// each worker rechecks on its own clock, so a read answered by one worker may already show a
    /// published version that another worker's `current` does not; an install or update must not
    /// then pick the older one. The check reads the catalog's folders (one `readdir` per plugin,
    /// two `stat`s per version), small beside an operation's copying and fsyncs.
    package var fresh: CatalogIndex { load(force: true).index }

    private func load(force: Bool) -> (index: CatalogIndex, generation: Int) {
        let now = Date().timeIntervalSince1970
        let check: Int? = state.withLock { state in
            if !force && now - state.checkedAt < recheckInterval { return nil }
            state.checkedAt = now
            state.checksStarted += 1
            return state.checksStarted
        }
        guard let check else { return state.withLock { ($0.index, $0.generation) } }
        let signature = CatalogIndex.quickSignature(root: root)
        if let unchanged = state.withLock({ $0.signature == signature ? ($0.index, $0.generation) : nil }) { return unchanged }
        let loaded = CatalogIndex.load(root: root)
        return state.withLock { state in
            // A check that started later looked at the folder later: its index stays.
            if check > state.keptCheck {
                state.index = loaded
                state.signature = signature
                state.generation += 1
                state.keptCheck = check
            }
            return (state.index, state.generation)
        }
    }
}
