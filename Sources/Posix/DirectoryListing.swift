#if canImport(Glibc)
import Glibc
#endif

extension FileTree {
    /// Entry names of a folder, sorted, without `.` and `..`. A name that is not valid UTF-8
    /// comes back as nil inside the array (the catalog and the publisher refuse such names; they
    /// are never silently renamed).
    package static func names(in directory: String) throws(SystemCallError) -> [String?] {
        guard let dir = opendir(directory) else { throw SystemCallError("opendir", directory) }
        defer { closedir(dir) }
        return rawNames(dir).map { name in name.withUnsafeBufferPointer { String(validatingCString: $0.baseAddress!) } }.sorted { ($0 ?? "") < ($1 ?? "") }
    }

    /// Entry names of a folder, sorted, without `.` and `..`. Names that are not UTF-8 are left
    /// out: the service never writes them (``removeTree(_:trusting:)`` still removes them).
    package static func entries(_ directory: String) throws(SystemCallError) -> [String] {
        try names(in: directory).compactMap { $0 }
    }

    /// Every name of an open folder as the bytes the file system holds, `.` and `..` left out.
    static func rawNames(_ dir: OpaquePointer) -> [[CChar]] {
        var names: [[CChar]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.bindMemory(to: CChar.self).prefix { $0 != 0 }) + [0]
            }
            if name == [46, 0] || name == [46, 46, 0] { continue }
            names.append(name)
        }
        return names
    }
}
