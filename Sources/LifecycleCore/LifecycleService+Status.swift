import Foundation
import LifecycleStore
import PluginCatalog
import Posix

/// Status: how an installed plugin's folder and rows compare with what was recorded at install, one plugin or the caller's installed list.
extension LifecycleService {
    public func status(user rawUser: String, slug rawSlug: String, verify: VerifyMode = .sizes) throws(LifecycleError) -> StatusReport {
        try status(user: try UserID(rawUser), slug: try Self.slug(rawSlug), verify: verify)
    }

    package func status(user: UserID, slug: PluginSlug, verify: VerifyMode) throws(LifecycleError) -> StatusReport {
        try classified {
            // A process that died mid-operation may have left its uncommitted copy in place (healthy-looking
            // or not; for an install, a folder with no row at all): roll it back before looking, so status
            // always describes the committed state. The read is the store's hot one (one snapshot on this
            // thread's own connection); recovery and the read after it go through GRDB.
            let snapshot = try database.hot.leaseAndHealthRows(userID: user.value, slug: slug.value)
            var installed = snapshot.plugin
            if try runner.recoverIfAbandoned(user: user, slug: slug.value, lease: snapshot.lease) {
                installed = try database.healthRows(userID: user.value, slug: slug.value)
            }
            guard let installed else {
                guard catalog.current.entry(slug) != nil else { throw LifecycleError.pluginNotFound(slug: slug.value) }
                return StatusReport(pluginSlug: slug.value, exists: false, status: .notInstalled, pluginID: nil,
                                    version: nil, enabled: nil, filesExist: false,
                                    files: .init(expected: 0, missing: [], modified: []),
                                    modulesStatus: .init(allLoaded: false, loadedCount: 0, expectedCount: 0))
            }
            return inspect(installed, user: user, verify: verify)
        }
    }

    /// The version and Module Federation entry of `user`'s enabled copy of `slug` (nil when it is
    /// not installed, disabled or declares no entry): its committed rows, no file checks.
    package func enabledBundle(user: UserID, slug: PluginSlug) throws(LifecycleError) -> (version: String, entry: BundleEntry)? {
        try classified {
            guard let rows = try database.hot.leaseAndHealthRows(userID: user.value, slug: slug.value).plugin,
                  rows.enabled, let entry = BundleEntry(rows) else { return nil }
            return (rows.version, entry)
        }
    }

    /// Compares the folder on disk and the module rows with what was recorded at install.
    func inspect(_ installed: InstalledPlugin, user: UserID, verify: VerifyMode) -> StatusReport {
        inspect(installed.healthRows, user: user, verify: verify)
    }

    func inspect(_ installed: PluginHealthRows, user: UserID, verify: VerifyMode) -> StatusReport {
        var missing: [String] = []
        var modified: [String] = []
        // The user's folder and the plugin's must be real folders, and so must every folder down to
        // a file: a linked one reads as missing rather than vouch for files that live elsewhere.
        let walk = FolderWalk(installed.pluginSlug, in: directory.userFolder(user))
        for file in installed.files {
            guard let size = walk?.regularFileSize(file.path) else {
                missing.append(file.path)
                continue
            }
            switch verify {
            case .sizes:
                if size != file.size { modified.append(file.path) }
            case .full:
                let folder = directory.pluginFolder(user, installed.pluginSlug)
                guard let digest = FileDigest.sha256(folder + "/" + file.path) else { missing.append(file.path); continue }
                if digest.size != file.size || digest.sha256 != file.sha256 { modified.append(file.path) }
            }
        }
        let expectedNames = ManifestModuleNames.shared.names(
            slug: installed.pluginSlug, version: installed.version, manifestJSON: installed.manifestJSON)
        let present = Set(installed.moduleNames)
        let loaded = expectedNames.filter { present.contains($0) }.count
        let allLoaded = loaded == expectedNames.count && installed.moduleNames.count == expectedNames.count
        let health: StatusReport.Health = !missing.isEmpty ? .filesMissing
            : !modified.isEmpty ? .filesModified
            : !allLoaded ? .modulesCorrupted : .healthy
        return StatusReport(
            pluginSlug: installed.pluginSlug, exists: true, status: health, pluginID: installed.pluginID,
            version: installed.version, enabled: installed.enabled,
            filesExist: walk != nil && missing.isEmpty,
            files: .init(expected: installed.files.count, missing: missing, modified: modified),
            modulesStatus: .init(allLoaded: allLoaded, loadedCount: loaded, expectedCount: expectedNames.count),
            bundle: BundleEntry(installed))
    }

    public func installed(user: UserID) throws(LifecycleError) -> InstalledList {
        try classified {
            // Roll back what a dead process left half done first, so the list shows committed states.
            var (leases, installedPlugins) = try database.hot.leasesAndHealthRows(userID: user.value)
            var recovered = false
            for lease in leases where try runner.recoverIfAbandoned(user: user, slug: lease.pluginSlug, lease: lease) {
                recovered = true
            }
            if recovered { installedPlugins = try database.leasesAndHealthRows(userID: user.value).plugins }
            let index = catalog.current
            var plugins: [InstalledList.Plugin] = []
            for installed in installedPlugins {
                let latest = (try? PluginSlug(installed.pluginSlug)).flatMap { index.entry($0) }?.latest.version
                let current = SemanticVersion(installed.version)
                plugins.append(.init(
                    pluginSlug: installed.pluginSlug, pluginID: installed.pluginID, version: installed.version,
                    latestVersion: latest?.description,
                    updateAvailable: latest.map { latest in current.map { latest > $0 } ?? false } ?? false,
                    enabled: installed.enabled, status: inspect(installed, user: user, verify: .sizes).status,
                    installedAt: installed.installedAt, modules: installed.modules.map(\.id),
                    disabledModules: installed.disabledModuleIDs, bundle: BundleEntry(installed)))
            }
            return InstalledList(installedPlugins: plugins, totalCount: plugins.count)
        }
    }
}
