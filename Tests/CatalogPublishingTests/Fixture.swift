import CatalogPublishing
import Foundation
import PluginCatalog
import ZIPFoundation

/// A temp folder per test: `catalog/` seeded with `braindrive-chat/1.0.0` from the sample
/// catalog, and `work/` for the packages to publish.
final class PublishFixture {
    static let sample: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/catalog")

    let base: URL
    let catalog: URL
    let work: URL
    var publisher: PackagePublisher { PackagePublisher(catalogRoot: catalog) }

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("publish-test-\(UUID().uuidString)")
        catalog = base.appendingPathComponent("catalog")
        work = base.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: catalog.appendingPathComponent("braindrive-chat"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.sample.appendingPathComponent("braindrive-chat/1.0.0"),
                                         to: catalog.appendingPathComponent("braindrive-chat/1.0.0"))
    }

    deinit { try? FileManager.default.removeItem(at: base) }

    /// A copy of the sample `braindrive-chat/1.0.0` at `work/{name}` with `plugin.json` edited
    /// (version 1.1.0 unless the edit says otherwise).
    @discardableResult
    func package(_ name: String = "chat", edit: (inout [String: Any]) -> Void = { _ in }) throws -> URL {
        let folder = work.appendingPathComponent(name)
        try FileManager.default.copyItem(at: Self.sample.appendingPathComponent("braindrive-chat/1.0.0"), to: folder)
        try editManifest(folder) { object in
            object["version"] = "1.1.0"
            edit(&object)
        }
        return folder
    }

    func editManifest(_ folder: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent("plugin.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: url)
    }

    /// Every path under the catalog (dot-entries included) with kind, mode and size: equal
    /// snapshots mean nothing was written, moved or left behind.
    func snapshot() throws -> [String] {
        var lines: [String] = []
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: catalog.path) else { return [] }
        while let relative = enumerator.nextObject() as? String {
            let attributes = try manager.attributesOfItem(atPath: catalog.appendingPathComponent(relative).path)
            let type = attributes[.type] as? FileAttributeType
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
            var line = "\(relative) \(type?.rawValue ?? "?") \(String(mode, radix: 8)) \(size)"
            if type == .typeRegular { line += " " + (try Data(contentsOf: catalog.appendingPathComponent(relative))).base64EncodedString() }
            lines.append(line)
        }
        return lines.sorted()
    }

    /// Top-level names of the catalog starting with `.` (a staging folder left behind).
    func dotEntries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: catalog.path).filter { $0.hasPrefix(".") }
    }

    // MARK: - Archives

    enum ZipItem {
        case file(String, Data)
        /// `count` zero bytes, deflated as they are fed (hundreds of MiB without holding them).
        case zeros(String, count: Int64)
        case directory(String)
        case symlink(String, target: String)
    }

    /// Every file and folder of `folder`, as zip items named `{prefix}{relative path}`.
    func zipItems(of folder: URL, prefix: String = "") throws -> [ZipItem] {
        var items: [ZipItem] = []
        let manager = FileManager.default
        let enumerator = manager.enumerator(atPath: folder.path)!
        while let relative = enumerator.nextObject() as? String {
            let url = folder.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            _ = manager.fileExists(atPath: url.path, isDirectory: &isDirectory)
            if isDirectory.boolValue { items.append(.directory(prefix + relative + "/")) }
            else { items.append(.file(prefix + relative, try Data(contentsOf: url))) }
        }
        return items
    }

    func makeZip(_ name: String, _ items: [ZipItem]) throws -> URL {
        let url = work.appendingPathComponent(name)
        let archive = try Archive(url: url, accessMode: .create)
        for item in items {
            switch item {
            case .file(let path, let data):
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            case .zeros(let path, let count):
                try archive.addEntry(with: path, type: .file, uncompressedSize: count, compressionMethod: .deflate) { _, size in
                    Data(count: size)
                }
            case .directory(let path):
                try archive.addEntry(with: path, type: .directory, uncompressedSize: Int64(0)) { (_: Int64, _: Int) in Data() }
            case .symlink(let path, let target):
                let data = Data(target.utf8)
                try archive.addEntry(with: path, type: .symlink, uncompressedSize: Int64(data.count)) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
        }
        return url
    }

    /// Rewrites the uncompressed size of member `name` in its local header and its
    /// central-directory record (a lying archiver); returns how many headers were patched.
    @discardableResult
    func patchUncompressedSize(_ zip: URL, member name: String, to size: UInt32) throws -> Int {
        var bytes = [UInt8](try Data(contentsOf: zip))
        let name = Array(name.utf8)
        var patched = 0
        // Local header: signature, name length at 26, name at 30, size at 22.
        // Central record: signature, name length at 28, name at 46, size at 24.
        for (signature, lengthAt, nameAt, sizeAt) in [([UInt8]([0x50, 0x4b, 0x03, 0x04]), 26, 30, 22), ([0x50, 0x4b, 0x01, 0x02], 28, 46, 24)] {
            for start in 0..<(bytes.count - nameAt - name.count) where Array(bytes[start..<start + 4]) == signature {
                let length = Int(bytes[start + lengthAt]) | Int(bytes[start + lengthAt + 1]) << 8
                guard length == name.count, Array(bytes[(start + nameAt)..<(start + nameAt + length)]) == name else { continue }
                for i in 0..<4 { bytes[start + sizeAt + i] = UInt8(truncatingIfNeeded: size >> (8 * UInt32(i))) }
                patched += 1
            }
        }
        try Data(bytes).write(to: zip)
        return patched
    }

    /// Runs /bin/tar with `arguments` in `work/`; throws when tar fails.
    func tar(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/tar")
        process.arguments = arguments
        process.currentDirectoryURL = work
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "tar \(arguments) failed"])
        }
    }
}

/// The error `publish` throws, or nil when it succeeds.
func publishError(_ publisher: PackagePublisher, _ source: URL) -> PublishError? {
    do {
        _ = try publisher.publish(from: source)
        return nil
    } catch {
        return error
    }
}

func mode(_ url: URL) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as! NSNumber).intValue
}
