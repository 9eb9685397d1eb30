import Foundation
import Posix
import Testing

/// `FolderWalk` is what `status` trusts to say a file is there: it must never vouch for a file
/// reached through a link, at any level.
@Suite(.timeLimit(.minutes(10))) struct FolderWalkTests {
    @Test func sizesOfRegularFilesAtEveryDepth() throws {
        let s = try Scratch(); defer { s.remove() }
        try s.write("user/plugin/a.js", Array(repeating: 1, count: 10))
        try s.write("user/plugin/dist/b.js", Array(repeating: 2, count: 300))
        try s.write("user/plugin/dist/deep/er/c.js", [])
        let walk = try #require(FolderWalk("plugin", in: s.path("user")))
        #expect(walk.regularFileSize("a.js") == 10)
        #expect(walk.regularFileSize("dist/b.js") == 300)
        #expect(walk.regularFileSize("dist/deep/er/c.js") == 0)
        #expect(walk.regularFileSize("dist/b.js") == 300, "a folder's descriptor is reused")
        #expect(walk.regularFileSize("nope.js") == nil)
        #expect(walk.regularFileSize("nope/b.js") == nil)
        #expect(walk.regularFileSize("dist") == nil, "a folder is not a regular file")
    }

    @Test func dotStepsAndEmptyStepsNeverLeaveThePluginFolder() throws {
        let s = try Scratch(); defer { s.remove() }
        try s.write("user/outside.js", [1, 2])
        try s.write("user/plugin/dist/b.js", [1])
        let walk = try #require(FolderWalk("plugin", in: s.path("user")))
        #expect(walk.regularFileSize("dist/../../outside.js") == nil, "`..` in the middle")
        #expect(walk.regularFileSize("../outside.js") == nil)
        #expect(walk.regularFileSize("./dist/b.js") == nil && walk.regularFileSize("dist/./b.js") == nil)
        #expect(walk.regularFileSize("dist//b.js") == nil && walk.regularFileSize("/dist/b.js") == nil)
        #expect(walk.regularFileSize("dist/") == nil && walk.regularFileSize("") == nil && walk.regularFileSize("..") == nil)
        #expect(walk.regularFileSize("dist/b.js") == 1)
    }

    @Test func aWideTreeIsReadWholeInAnyOrder() throws {
        let s = try Scratch(); defer { s.remove() }
        let folders = (0..<40).map { "f\($0)/sub" }
        for (index, folder) in folders.enumerated() { try s.write("user/plugin/\(folder)/x.js", Array(repeating: 0, count: index)) }
        let walk = try #require(FolderWalk("plugin", in: s.path("user")))
        // Past the list's limit the walk keeps a dictionary: every folder found again, in any order.
        for round in 0..<2 {
            for (index, folder) in folders.enumerated().shuffled() {
                #expect(walk.regularFileSize("\(folder)/x.js") == Int64(index), "round \(round): \(folder)")
                #expect(walk.regularFileSize("\(folder)/missing.js") == nil)
            }
        }
    }

    @Test func linksAnywhereReadAsMissing() throws {
        let s = try Scratch(); defer { s.remove() }
        try s.write("elsewhere/secret.js", [1, 2, 3])
        try s.write("elsewhere/dist/b.js", [1, 2, 3])
        try s.write("user/plugin/real.js", [1])
        try FileManager.default.createSymbolicLink(atPath: s.path("user/plugin/link.js"), withDestinationPath: s.path("elsewhere/secret.js"))
        try FileManager.default.createSymbolicLink(atPath: s.path("user/plugin/dist"), withDestinationPath: s.path("elsewhere/dist"))
        #expect(mkfifo(s.path("user/plugin/fifo.js"), 0o644) == 0)
        let walk = try #require(FolderWalk("plugin", in: s.path("user")))
        #expect(walk.regularFileSize("real.js") == 1)
        #expect(walk.regularFileSize("link.js") == nil, "a linked file")
        #expect(walk.regularFileSize("dist/b.js") == nil, "a file under a linked folder")
        #expect(walk.regularFileSize("fifo.js") == nil, "not a regular file")

        // A linked plugin folder, or a linked user folder above it, is no folder at all.
        try FileManager.default.createSymbolicLink(atPath: s.path("user/linked-plugin"), withDestinationPath: s.path("user/plugin"))
        #expect(FolderWalk("linked-plugin", in: s.path("user")) == nil)
        try FileManager.default.createSymbolicLink(atPath: s.path("linked-user"), withDestinationPath: s.path("user"))
        #expect(FolderWalk("plugin", in: s.path("linked-user")) == nil)
        #expect(FolderWalk("missing", in: s.path("user")) == nil)
    }

    /// Every descriptor the walk opened is closed with it (status runs it on every request).
    @Test func closesWhatItOpens() throws {
        let s = try Scratch(); defer { s.remove() }
        try s.write("user/plugin/a/b/c.js", [1])
        // Counted by what they point at: other tests of this process open files meanwhile.
        func openUnderScratch() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter {
                ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) ?? "").hasPrefix(s.root)
            }.count
        }
        var walk = FolderWalk("plugin", in: s.path("user"))
        #expect(walk?.regularFileSize("a/b/c.js") == 1)
        #expect(try openUnderScratch() == 3, "plugin, a and a/b")
        walk = nil
        #expect(try openUnderScratch() == 0)
    }
}
