import Foundation
import PluginCatalog
import Synchronization

/// The catalog as a long-running process sees it: loaded once, reloaded when the folder's
/// cheap signature changes (checked at most once per `recheckInterval`), so a publish shows up
/// without a restart and a request never hashes files.
public final class CatalogSource: Sendable {
    public let root: URL
    private let recheckInterval: Double
    private let state: Mutex<(index: CatalogIndex, signature: String, checkedAt: Double)>

    public init(root: URL, recheckInterval: Double = 1) {
        self.root = root
        self.recheckInterval = recheckInterval
        let signature = CatalogIndex.quickSignature(root: root)
        state = Mutex((CatalogIndex.load(root: root), signature, Date().timeIntervalSince1970))
    }

    public var current: CatalogIndex {
        let now = Date().timeIntervalSince1970
        let (index, stale) = state.withLock { state -> (CatalogIndex, Bool) in
            if now - state.checkedAt < recheckInterval { return (state.index, false) }
            state.checkedAt = now
            return (state.index, true)
        }
        guard stale else { return index }
        let signature = CatalogIndex.quickSignature(root: root)
        if state.withLock({ $0.signature }) == signature { return index }
        let fresh = CatalogIndex.load(root: root)
        state.withLock { $0 = (fresh, signature, now) }
        return fresh
    }
}
