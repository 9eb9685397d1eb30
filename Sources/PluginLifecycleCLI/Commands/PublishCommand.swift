import ArgumentParser
import CatalogPublishing
import Foundation

/// Adds a package (a folder, a `.tar.gz`/`.tgz` or a `.zip`) to the catalog as a new version,
/// after validating it; a published version is never overwritten.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Add a package (folder, .tar.gz/.tgz or .zip) to the catalog as a new version.",
        discussion: """
            The package is checked (manifest, semver, reserved slugs, bundle, no links or special files, \
            no absolute or '..' paths, size and file-count limits), staged inside the catalog and renamed \
            into catalog/{slug}/{version}. A version already published is never overwritten.
            """)

    @Argument(help: "The package: a folder, a .tar.gz/.tgz or a .zip.") var path: String
    @OptionGroup var data: DataOptions

    func run() throws {
        let catalog = data.catalog ?? data.directory.defaultCatalogRoot
        let publisher = PackagePublisher(catalogRoot: URL(fileURLWithPath: catalog))
        do {
            let package = try publisher.publish(from: URL(fileURLWithPath: path))
            print("published \(package.slug) \(package.version) (\(package.files.count) files, \(package.totalBytes) bytes) into \(catalog)")
        } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }
}
