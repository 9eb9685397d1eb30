import Foundation

/// A scratch folder under `parent` (the temporary directory by default), removed by `remove()`.
struct Scratch {
    let root: String

    init(under parent: String = NSTemporaryDirectory()) throws {
        root = (parent as NSString).appendingPathComponent("posix-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    func write(_ relative: String, _ bytes: [UInt8]) throws {
        let path = path(relative)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func read(_ relative: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(relative)).map(Array.init)
    }

    /// Removes the tree with the shell's `rm -rf` (not the code under test), after giving
    /// every folder back its permissions.
    func remove() {
        _ = try? run("chmod", "-R", "u+rwx", root)
        _ = try? run("rm", "-rf", root)
    }
}

/// Random bytes: a copy that drops or reorders a block shows.
func randomBytes(_ count: Int) -> [UInt8] {
    guard let urandom = FileHandle(forReadingAtPath: "/dev/urandom") else { fatalError("no /dev/urandom") }
    defer { try? urandom.close() }
    return Array(urandom.readData(ofLength: count))
}

/// Where a system tool is, nil when it is not installed.
func tool(_ name: String) -> String? {
    ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Runs a system tool; returns its status and its output (stdout and stderr).
@discardableResult
func run(_ name: String, _ arguments: String...) throws -> (status: Int32, output: String) {
    guard let executable = tool(name) else { return (127, "\(name) is not installed") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The file system type of the folder holding `path` (statfs's `f_type`, as `stat -f` says it:
/// Glibc's Swift module does not export statfs).
func fileSystemType(_ path: String) -> Int? {
    guard let answer = try? run("stat", "-f", "-c", "%t", path), answer.status == 0 else { return nil }
    return Int(answer.output.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16)
}

let ext4Magic = 0xEF53
let tmpfsMagic = 0x0102_1994
