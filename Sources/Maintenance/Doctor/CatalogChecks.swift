import CatalogPublishing
import Foundation
import LifecycleCore
import PluginCatalog
import Posix

/// The catalog loads, and the packages it skipped are named.
struct CatalogChecks {
    let doctor: Doctor

    func run(into findings: inout [Finding]) -> CatalogSource {
        let root = doctor.catalogRoot
        // CatalogSource loads the folder once; it keeps the problems of the packages it skipped.
        let source = CatalogSource(root: URL(fileURLWithPath: root))
        let index = source.current
        if FileTree.kind(root) == .missing {
            findings.append(Finding(.error, .catalog, "catalog_missing", subject: root, "the catalog folder does not exist: nothing can be installed or repaired",
                                    remedy: "`plugin-lifecycle init --sample-catalog SRC --data-dir \(doctor.directory.root)`, or pass the right --catalog"))
            return source
        }
        reportStagingLeftovers(root, into: &findings)
        for problem in index.problems {
            findings.append(Finding(.warning, .catalog, "invalid_package", subject: problem.file, "skipped: \(problem)",
                                    remedy: "fix or remove \(root)/\(problem.file) (`plugin-lifecycle publish` validates a package before adding it)"))
        }
        if index.entries.isEmpty {
            findings.append(Finding(.warning, .catalog, "catalog_empty", subject: root, "the catalog has no valid package",
                                    remedy: "publish packages with `plugin-lifecycle publish PATH --catalog \(root)`"))
        } else {
            let versions = index.entries.reduce(0) { $0 + $1.versions.count }
            findings.append(Finding(.ok, .catalog, "catalog", subject: root,
                                    "\(index.entries.count) plugins, \(versions) versions loaded" + (index.problems.isEmpty ? "" : ", \(index.problems.count) skipped")))
        }
        return source
    }

    /// A `publish` killed mid-way leaves its staging folder; the catalog skips dot-entries, so
    /// nothing else would show it.
    private func reportStagingLeftovers(_ root: String, into findings: inout [Finding]) {
        for folder in PublishStaging.folders(in: root) {
            let age = Date().timeIntervalSince(folder.modified)
            findings.append(Finding(.warning, .catalog, "catalog_staging_leftover", subject: folder.path,
                                    "the staging folder of a publish that did not finish (last changed \(Int(age / 60)) min ago); the catalog ignores it",
                                    remedy: "if no publish is running: rm -rf \(folder.path)"
                                        + (age > PublishStaging.staleAge ? " (the next publish removes it too)" : "")))
        }
    }
}
