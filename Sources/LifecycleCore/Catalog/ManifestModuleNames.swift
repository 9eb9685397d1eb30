import Foundation
import PluginCatalog
import Posix

/// The module names an installed plugin's stored manifest declares, decoded once per distinct
/// manifest text: decoding the whole manifest on every status request was a quarter of its cost
/// (callgrind). The text itself is the key, so a changed manifest can never be answered from an
/// old entry.
final class ManifestModuleNames: Sendable {
    static let shared = ManifestModuleNames(capacity: 512)

    private let capacity: Int
    private let cache = Locked<[String: [String]]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// Empty for a manifest that does not decode (status then reports its modules as corrupted).
    func names(inManifestJSON text: String) -> [String] {
        if let names = cache.withLock({ $0[text] }) { return names }
        let names = Self.decode(text)
        cache.withLock { cache in
            // Distinct manifests are few (one per published version); a full cache is simply dropped.
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[text] = names
        }
        return names
    }

    static func decode(_ text: String) -> [String] {
        guard let manifest = try? JSONDecoder().decode(PluginManifest.self, from: Data(text.utf8)) else { return [] }
        return manifest.modules.map(\.name)
    }
}
