import Foundation
import PluginCatalog
import ThreadPrimitives

/// The catalog as a long-running process sees it: loaded once, reloaded when the folder's
/// cheap signature changes (checked at most once per `recheckInterval`), so a publish shows up
/// without a restart and a request never hashes files.
public final class CatalogSource: Sendable {
    public let root: URL
    private let recheckInterval: Double
    private let state: Locked<(index: CatalogIndex, signature: String, checkedAt: Double, generation: Int)>

    public init(root: URL, recheckInterval: Double = 1) {
        self.root = root
        self.recheckInterval = recheckInterval
        let signature = CatalogIndex.quickSignature(root: root)
        state = Locked((CatalogIndex.load(root: root), signature, Date().timeIntervalSince1970, 0))
    }

    public var current: CatalogIndex { snapshot.index }

    /// The current index with its generation, which grows by one at every reload: what is
    /// derived from the catalog (the `available` list) is cached until the generation moves.
    public var snapshot: (index: CatalogIndex, generation: Int) { load(force: false) }

    /// The index as the folder is now, whatever the interval. For operations that pick a version:
    /// each worker rechecks on its own clock, so a read answered by one worker may already show a
    /// published version that another worker's `current` does not; an install or update must not
    /// then pick the older one. The check is a few `stat`s, small beside an operation's copying.
    public var fresh: CatalogIndex { load(force: true).index }

    private func load(force: Bool) -> (index: CatalogIndex, generation: Int) {
        let now = Date().timeIntervalSince1970
        let (index, generation, stale) = state.withLock { state -> (CatalogIndex, Int, Bool) in
            if !force && now - state.checkedAt < recheckInterval { return (state.index, state.generation, false) }
            state.checkedAt = now
            return (state.index, state.generation, true)
        }
        guard stale else { return (index, generation) }
        let signature = CatalogIndex.quickSignature(root: root)
        if state.withLock({ $0.signature }) == signature { return (index, generation) }
        let fresh = CatalogIndex.load(root: root)
        return state.withLock { state in
            state = (fresh, signature, now, state.generation + 1)
            return (fresh, state.generation)
        }
    }
}
