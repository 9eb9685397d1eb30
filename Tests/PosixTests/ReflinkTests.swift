import Foundation
import Posix
import Testing

/// `FileTree.copyFile` on XFS with reflink=1 (a loop-mounted image): the copy shares the
/// source's extents. Needs root and xfsprogs (`apt-get install xfsprogs`); cancelled with the
/// reason otherwise, except under CI (`CI` set: .ci/run installs xfsprogs), where it fails.
@Suite("file copy: a reflink on XFS", .timeLimit(.minutes(10)))
struct ReflinkTests {
    /// A 512 MiB sparse XFS image mounted on a scratch folder.
    final class XFSMount {
        let scratch: Scratch
        let mountPoint: String
        private var mounted = false

        init() throws {
            guard geteuid() == 0 else { try Self.unavailable("needs root to loop-mount an XFS image") }
            guard tool("mkfs.xfs") != nil else { try Self.unavailable("mkfs.xfs is missing (apt-get install xfsprogs)") }
            scratch = try Scratch()
            mountPoint = scratch.path("mnt")
            let image = scratch.path("xfs.img")
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            let made = try run("truncate", "-s", "512M", image)
            let formatted = made.status == 0 ? try run("mkfs.xfs", "-q", "-m", "reflink=1", image) : made
            guard formatted.status == 0 else {
                scratch.remove()
                try Self.unavailable("cannot make an XFS image with reflink=1: \(formatted.output)")
            }
            let mount = try run("mount", "-o", "loop", image, mountPoint)
            guard mount.status == 0 else {
                scratch.remove()
                try Self.unavailable("cannot loop-mount an XFS image here: \(mount.output)")
            }
            mounted = true
        }

        func path(_ name: String) -> String { mountPoint + "/" + name }

        /// Cancels the test with the reason; under CI, where the machine is set up for it, fails.
        static func unavailable(_ reason: String) throws -> Never {
            if ProcessInfo.processInfo.environment["CI"].map({ !$0.isEmpty }) == true {
                Issue.record("CI must run the reflink test: \(reason)")
                throw Unavailable()
            }
            try Test.cancel(Comment(rawValue: reason))
        }

        struct Unavailable: Error {}

        /// Blocks in use on the mounted file system.
        func usedBytes() -> Int64 {
            var info = statvfs()
            guard statvfs(mountPoint, &info) == 0 else { return -1 }
            return Int64(info.f_blocks - info.f_bfree) * Int64(info.f_frsize)
        }

        deinit {
            if mounted { _ = try? run("umount", mountPoint) }  // a loop mount detaches its device
            scratch.remove()
        }
    }

    @Test("the copy is a reflink, byte-identical, marked shared by filefrag")
    func sharedExtents() throws {
        let xfs = try XFSMount()
        let bytes = randomBytes(4 * 1_048_576)
        try Data(bytes).write(to: URL(fileURLWithPath: xfs.path("source")))
        let copy = try FileTree.copyFile(from: xfs.path("source"), to: xfs.path("copy"), mode: 0o644)
        #expect(copy.method == .reflink)
        #expect(copy.size == Int64(bytes.count))
        #expect(FileManager.default.contents(atPath: xfs.path("copy")).map(Array.init) == bytes)
        let frag = try run("filefrag", "-v", xfs.path("copy"))
        #expect(frag.status == 0 && frag.output.contains("shared"), "filefrag -v: \(frag.output)")
    }

    @Test("1,000 copies of 1 MiB take far less than 1,000 MiB (they would not even fit in the 512 MiB image)")
    func thousandCopies() throws {
        let xfs = try XFSMount()
        try Data(randomBytes(1_048_576)).write(to: URL(fileURLWithPath: xfs.path("source")))
        let before = xfs.usedBytes()
        for index in 0..<1000 {
            let copy = try FileTree.copyFile(from: xfs.path("source"), to: xfs.path("copy\(index)"), mode: 0o644)
            #expect(copy.method == .reflink)
        }
        let grown = xfs.usedBytes() - before
        #expect(grown < 100 * 1_048_576, "1,000 copies used \(grown) bytes")
    }
}
