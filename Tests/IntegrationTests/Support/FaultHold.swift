import Foundation

/// A process held at a fault point (`PLUGIN_LIFECYCLE_FAULT=<point>:hold=DIR`) until the test
/// releases it: races are staged on events, never on how long a step takes.
final class FaultHold: @unchecked Sendable {
    let folder: String
    let point: String

    init(_ point: String) throws {
        self.point = point
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lc-hold-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    var environment: [String: String] { ["PLUGIN_LIFECYCLE_FAULT": "\(point):hold=\(folder)"] }

    /// True once a process has reached the point and waits there.
    func waitUntilReached() -> Bool { eventually { FileManager.default.fileExists(atPath: folder + "/reached") } }

    /// Lets every held process go on; later hits pass straight through.
    func release() { _ = FileManager.default.createFile(atPath: folder + "/release", contents: nil) }

    deinit {
        release()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
