import Foundation
import PluginCatalog
import Posix

/// The module names an installed plugin's stored manifest declares, decoded once per distinct
/// manifest text: decoding the whole manifest on every status request was a quarter of its cost
/// (callgrind). Entries are found by slug and version (short keys: hashing the whole text was
/// 3 % of a status request) and used only when their text is byte for byte the text asked
/// about, so a changed manifest can never be answered from an old entry.
final class ManifestModuleNames: Sendable {
    static let shared = ManifestModuleNames(capacity: 512)

    private struct Key: Hashable {
        let slug: String
        let version: String
    }

    private struct Entry {
        let text: String
        let names: [String]
    }

    private let capacity: Int
    private let cache = Locked<[Key: Entry]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// Empty for a manifest that does not decode (status then reports its modules as corrupted).
    func names(slug: String, version: String, manifestJSON text: String) -> [String] {
        let key = Key(slug: slug, version: version)
        if let entry = cache.withLock({ $0[key] }), Self.sameBytes(entry.text, text) { return entry.names }
        let names = Self.decode(text)
        cache.withLock { cache in
            // Distinct manifests are few (one per published version); a full cache is simply dropped.
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = Entry(text: text, names: names)
        }
        return names
    }

    static func decode(_ text: String) -> [String] {
        guard let manifest = try? JSONDecoder().decode(PluginManifest.self, from: Data(text.utf8)) else { return [] }
        return manifest.modules.map(\.name)
    }

    /// Byte equality (`==` on String compares canonical equivalence, and may normalise).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { left in
            b.withUTF8 { right in
                left.count == right.count && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
    }
}
