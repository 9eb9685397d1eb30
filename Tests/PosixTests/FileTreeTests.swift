import Foundation
import Posix
import Testing

/// The shared file-tree operations: removal never follows a link, folders are made with their
/// exact modes, links where folders belong are followed or refused as asked.
@Suite("file tree: removal, folders, renames, listing", .timeLimit(.minutes(10)))
struct FileTreeTests {
    @Test("removeTree removes links, never what they point to, at the top or inside")
    func removalNeverFollowsLinks() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        try scratch.write("outside/keep", [1, 2, 3])
        try scratch.write("tree/a/file", [4])
        try FileManager.default.createSymbolicLink(atPath: scratch.path("tree/a/to-outside"), withDestinationPath: scratch.path("outside"))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("top-link"), withDestinationPath: scratch.path("outside"))

        try FileTree.removeTree(scratch.path("tree"))
        try FileTree.removeTree(scratch.path("top-link"))
        #expect(FileTree.kind(scratch.path("tree")) == .missing)
        #expect(FileTree.kind(scratch.path("top-link")) == .missing)
        #expect(scratch.read("outside/keep") == [1, 2, 3])
        try FileTree.removeTree(scratch.path("tree"))  // already gone: not a failure
    }

    @Test("removeTree refuses a linked parent unless the caller trusts it")
    func removalRefusesLinkedParent() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        try scratch.write("real/victim/file", [9])
        try FileManager.default.createSymbolicLink(atPath: scratch.path("linked"), withDestinationPath: scratch.path("real"))
        do {
            try FileTree.removeTree(scratch.path("linked/victim"))
            Issue.record("a linked parent was followed")
        } catch {
            #expect(error.isLinkRefusal && error.path == scratch.path("linked"))
        }
        #expect(scratch.read("real/victim/file") == [9])
        try FileTree.removeTree(scratch.path("linked/victim"), trusting: scratch.path("linked"))
        #expect(FileTree.kind(scratch.path("real/victim")) == .missing)
    }

    @Test("removeTree removes folders a user made unreadable or read-only, and names that are not UTF-8")
    func removalOfHostileShapes() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        try scratch.write("tree/locked/inner/file", [1])
        try scratch.write("tree/readonly/file", [2])
        // "bad-" and the byte 0xFF, which no UTF-8 string holds.
        let raw: [UInt8] = Array(scratch.path("tree/bad-").utf8) + [0xFF, 0]
        let fd = raw.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) } }
        #expect(fd >= 0)
        close(fd)
        #expect(try FileTree.names(in: scratch.path("tree")).contains(nil))
        chmod(scratch.path("tree/locked/inner"), 0o000)
        chmod(scratch.path("tree/locked"), 0o300)
        chmod(scratch.path("tree/readonly"), 0o500)
        try FileTree.removeTree(scratch.path("tree"))
        #expect(FileTree.kind(scratch.path("tree")) == .missing)
    }

    @Test("makeDirectories: exact modes, links followed or refused as asked")
    func makeDirectories() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        let old = umask(0o077); defer { umask(old) }
        try FileTree.makeDirectories(scratch.path("a/b/c"), mode: 0o750, parentMode: 0o755)
        #expect(FileTree.status(scratch.path("a/b/c")).permissions == 0o750)
        #expect(FileTree.status(scratch.path("a/b")).permissions == 0o755)
        try FileTree.makeDirectories(scratch.path("a/b/c"), mode: 0o700)  // exists: left as it is
        #expect(FileTree.status(scratch.path("a/b/c")).permissions == 0o750)

        try FileManager.default.createSymbolicLink(atPath: scratch.path("link"), withDestinationPath: scratch.path("a"))
        try FileTree.makeDirectories(scratch.path("link/new"), linkedFolders: .followed)
        #expect(FileTree.isDirectory(scratch.path("a/new")))
        #expect(throws: SystemCallError.notARealFolder(scratch.path("link"))) {
            try FileTree.makeDirectories(scratch.path("link/other"), linkedFolders: .refused)
        }
        try scratch.write("file", [1])
        #expect(throws: SystemCallError.notARealFolder(scratch.path("file"))) {
            try FileTree.makeDirectories(scratch.path("file"), linkedFolders: .followed)
        }
    }

    @Test("rename refuses a linked folder at either end unless trusted")
    func renameRefusesLinkedParents() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        try scratch.write("real/item", [1])
        try FileManager.default.createSymbolicLink(atPath: scratch.path("linked"), withDestinationPath: scratch.path("real"))
        #expect(throws: SystemCallError.notARealFolder(scratch.path("linked"))) {
            try FileTree.rename(scratch.path("linked/item"), scratch.path("moved"))
        }
        try FileTree.rename(scratch.path("linked/item"), scratch.path("moved"), trusting: scratch.path("linked"))
        #expect(scratch.read("moved") == [1])
    }

    @Test("names are sorted, without . and .., a name that is not UTF-8 as nil; status never follows a link")
    func listingAndStatus() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        try scratch.write("b", [1, 2])
        try scratch.write("a", [])
        try FileManager.default.createSymbolicLink(atPath: scratch.path("c"), withDestinationPath: scratch.path("b"))
        #expect(try FileTree.names(in: scratch.root) == ["a", "b", "c"])
        #expect(try FileTree.entries(scratch.root) == ["a", "b", "c"])
        #expect(FileTree.kind(scratch.path("c")) == .symlink)
        #expect(FileTree.status(scratch.path("c"), followingLinks: true).size == 2)
        #expect(FileTree.readLink(scratch.path("c")) == scratch.path("b"))
        #expect(FileTree.resolved(scratch.path("c")) == FileTree.resolved(scratch.path("b")))
        #expect(FileTree.resolved(scratch.path("not-yet/x")) == FileTree.resolved(scratch.root) + "/not-yet/x")
        #expect(throws: SystemCallError("opendir", scratch.path("none"), code: ENOENT)) { try FileTree.names(in: scratch.path("none")) }
    }
}
