import Foundation

/// A folder outside any data directory that hostile requests and planted links point at. Its
/// snapshot (every entry, its kind and content, never through a link) must not change.
struct OutsideTree {
    let root: String
    private let initial: [String: String]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("lc-outside-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/dir", withIntermediateDirectories: true)
        try "outside file\n".write(toFile: root + "/file", atomically: false, encoding: .utf8)
        try "outside dir file\n".write(toFile: root + "/dir/file", atomically: false, encoding: .utf8)
        initial = try Self.snapshot(root)
    }

    /// Writes `content` at `relative` and takes it into the snapshot that must survive.
    func add(_ relative: String, _ content: [UInt8]) throws -> OutsideTree {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data(content))
        return try OutsideTree(root: root)
    }

    /// Copies a folder in, and takes it into the snapshot.
    func addCopy(of folder: String, as relative: String) throws -> OutsideTree {
        try FileManager.default.copyItem(atPath: folder, toPath: root + "/" + relative)
        return try OutsideTree(root: root)
    }

    private init(root: String) throws {
        self.root = root
        initial = try Self.snapshot(root)
    }

    func isUnchanged() throws -> Bool { try Self.snapshot(root) == initial }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    static func snapshot(_ root: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for relative in try FileManager.default.subpathsOfDirectory(atPath: root) {
            let path = root + "/" + relative
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: result[relative] = "dir"
            case S_IFREG: result[relative] = "file:" + String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
            default: result[relative] = "other"
            }
        }
        return result
    }
}
