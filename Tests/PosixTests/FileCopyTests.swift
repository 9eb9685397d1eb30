import Foundation
import Posix
import Testing

/// `FileTree.copyFile` where no reflink exists (ext4, tmpfs): the fallbacks copy every byte.
@Suite("file copy: the fallbacks when the file system has no reflink", .timeLimit(.minutes(10)))
struct FileCopyTests {
    /// The scratch places on ext4 and tmpfs this host has (the temporary directory, /dev/shm).
    static func nonReflinkFolders() -> [(name: String, parent: String)] {
        [NSTemporaryDirectory(), "/dev/shm"].compactMap { parent in
            switch fileSystemType(parent) {
            case ext4Magic?: return ("ext4", parent)
            case tmpfsMagic?: return ("tmpfs", parent)
            default: return nil
            }
        }
    }

    @Test("on ext4 and tmpfs a copy is byte-identical, has exactly its mode, and took no reflink")
    func sameFileSystem() throws {
        let places = Self.nonReflinkFolders()
        if places.isEmpty { try Test.cancel("neither the temporary directory nor /dev/shm is ext4 or tmpfs") }
        for place in places {
            let scratch = try Scratch(under: place.parent); defer { scratch.remove() }
            // Several copy_file_range chunks' worth is not needed: an odd size checks the tail.
            let bytes = randomBytes(3 * 1_048_576 + 4097)
            try scratch.write("source", bytes)
            let copy = try FileTree.copyFile(from: scratch.path("source"), to: scratch.path("copy"), mode: 0o640)
            #expect(copy.method != .reflink, "\(place.name) has no reflink")
            #expect(copy.size == Int64(bytes.count))
            #expect(scratch.read("copy") == bytes, "\(place.name): the copy differs")
            #expect(FileTree.status(scratch.path("copy")).permissions == 0o640)

            try scratch.write("empty", [])
            let empty = try FileTree.copyFile(from: scratch.path("empty"), to: scratch.path("empty-copy"), mode: 0o644)
            #expect(empty.size == 0 && scratch.read("empty-copy") == [])
        }
    }

    @Test("from tmpfs to ext4 (copy_file_range refuses other file systems' files) the copy is byte-identical")
    func acrossFileSystems() throws {
        guard fileSystemType(NSTemporaryDirectory()) == ext4Magic, fileSystemType("/dev/shm") == tmpfsMagic else {
            try Test.cancel("needs the temporary directory on ext4 and /dev/shm on tmpfs")
        }
        let from = try Scratch(under: "/dev/shm"); defer { from.remove() }
        let to = try Scratch(); defer { to.remove() }
        let bytes = randomBytes(1_048_576 + 13)
        try from.write("source", bytes)
        let copy = try FileTree.copyFile(from: from.path("source"), to: to.path("copy"), mode: 0o600)
        #expect(copy.method != .reflink)
        #expect(to.read("copy") == bytes)
        #expect(FileTree.status(to.path("copy")).permissions == 0o600)
    }

    @Test("what neither a reflink nor copy_file_range takes (a pipe) goes through read/write, byte for byte")
    func readWriteFallback() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        var fds: [Int32] = [-1, -1]
        #expect(makePipe(&fds, nonBlocking: false))
        let bytes = randomBytes(60_000)  // under the pipe's buffer: written whole before the copy reads
        bytes.withUnsafeBytes { _ = write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        defer { close(fds[0]) }
        let output = try FileTree.createFile(scratch.path("copy"))
        defer { close(output) }
        let copy = try FileTree.copyContents(from: fds[0], to: output, paths: ("pipe", scratch.path("copy")))
        #expect(copy.method == .readWrite)
        #expect(copy.size == Int64(bytes.count))
        #expect(scratch.read("copy") == bytes)
    }

    @Test("a limit stops the copy just past it (the publisher's size cap)")
    func limit() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        try scratch.write("big", randomBytes(2 * 1_048_576))
        let input = open(scratch.path("big"), O_RDONLY)
        defer { close(input) }
        let output = try FileTree.createFile(scratch.path("copy"))
        defer { close(output) }
        let copy = try FileTree.copyContents(from: input, to: output, limit: 1000, paths: (scratch.path("big"), scratch.path("copy")))
        #expect(copy.size > 1000 && copy.size <= 1000 + 128 * 1024)
    }

    @Test("never through a link, never over an existing name")
    func refusals() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        try scratch.write("secret", Array("s3cret".utf8))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link"), withDestinationPath: scratch.path("secret"))
        #expect(throws: SystemCallError("open", scratch.path("link"), code: ELOOP)) {
            try FileTree.copyFile(from: scratch.path("link"), to: scratch.path("copy"), mode: 0o644)
        }
        try scratch.write("taken", [1])
        #expect(throws: SystemCallError("create", scratch.path("taken"), code: EEXIST)) {
            try FileTree.copyFile(from: scratch.path("secret"), to: scratch.path("taken"), mode: 0o644)
        }
        try FileManager.default.createSymbolicLink(atPath: scratch.path("dangling"), withDestinationPath: scratch.path("elsewhere"))
        #expect(throws: SystemCallError("create", scratch.path("dangling"), code: EEXIST)) {
            try FileTree.copyFile(from: scratch.path("secret"), to: scratch.path("dangling"), mode: 0o644)
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("elsewhere")))
    }

    @Test("a batch keeps copies open until it syncs them, and closes every one")
    func syncBatch() throws {
        let scratch = try Scratch(); defer { scratch.remove() }
        try scratch.write("source", randomBytes(10_000))
        var batch = SyncBatch()
        defer { batch.closeAll() }
        for index in 0..<(SyncBatch.size + 3) {
            try FileTree.copyFile(from: scratch.path("source"), to: scratch.path("copy\(index)"), mode: 0o644, syncingIn: &batch)
        }
        try batch.syncAll()
        for index in 0..<(SyncBatch.size + 3) { #expect(scratch.read("copy\(index)") == scratch.read("source")) }
    }
}
