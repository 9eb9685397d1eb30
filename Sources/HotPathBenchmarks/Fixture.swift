import Foundation
import LifecycleCore
import Logging
import PluginAPI
import PluginCatalog
import TokenAuth

/// A private data directory with a copy of the catalog, every catalog plugin installed for
/// `users` users through the service (so the database and the folders are the real thing), and
/// the API and tokens over it. Removed by `remove()`.
struct Fixture {
    let root: String
    let service: LifecycleService
    let verifier: TokenVerifier
    let api: PluginAPI
    /// The user the benchmarks ask for: one in the middle of the seeded range.
    let user: UserID
    /// What each seeded user has installed (the catalog's plugins and whatever they pulled in).
    let installedSlugs: Set<String>
    let catalogCount: Int
    /// A valid HS256 token for `user`, and one signed with another secret.
    let goodToken: String
    let badSignatureToken: String

    /// deploy/catalog of the checkout this was built from.
    static let repositoryCatalog = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/catalog").path

    init(catalog: String, users: Int) throws {
        var template = Array((NSTemporaryDirectory() + "/plugin-lifecycle-microbench-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        root = String(cString: made)
        try FileManager.default.copyItem(atPath: catalog, toPath: root + "/catalog")

        // Log lines (a refused token is logged at info) would time the terminal, not the code.
        let logger = Logger(label: "microbench") { _ in SwiftLogNoOpLogHandler() }
        service = try LifecycleService(dataDirectory: root, logger: logger)
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255) }
        verifier = try TokenVerifier(configuration: .init(key: .hmacSecret(secret)))
        api = PluginAPI(service: service, verifier: verifier, logger: logger)

        let slugs = try service.available().availablePlugins.keys.sorted()
        catalogCount = slugs.count
        guard catalogCount > 0 else { throw HarnessError("the catalog at \(catalog) has no plugins") }
        let seeded = try (1...max(users, 1)).map { try UserID(String(format: "bench%06d", $0)) }
        var installed: Set<String> = []
        for seededUser in seeded {
            installed = try Self.installAll(slugs, for: seededUser, service: service)
        }
        installedSlugs = installed
        user = seeded[seeded.count / 2]

        goodToken = try TokenMinter.mint(userID: user.value, secret: secret)
        let otherSecret = secret.map { $0 ^ 0x5A }
        badSignatureToken = try TokenMinter.mint(userID: user.value, secret: otherSecret)
    }

    /// Installs every slug not already there (an earlier one may have pulled it in as a dependency).
    private static func installAll(_ slugs: [String], for user: UserID, service: LifecycleService) throws -> Set<String> {
        var installed: Set<String> = []
        let context = OperationContext(actor: "microbench")
        for slug in slugs where !installed.contains(slug) {
            let result = try service.install(user: user, slug: try LifecycleService.slug(slug), version: nil, context: context)
            installed.insert(result.pluginSlug)
            installed.formUnion(result.dependenciesInstalled)
        }
        return installed
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
