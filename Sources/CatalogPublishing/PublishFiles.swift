#if canImport(Glibc)
import Glibc
#endif
import Posix

/// The publisher's file calls, their failures in its own words (`PublishError.io`).
enum PublishFiles {
    /// Runs Posix calls; a failure becomes `.io("<what>: <errno text>")`, or by default
    /// `.io("cannot <call> <path>: <errno text>")`.
    static func io<T>(_ what: String? = nil, _ body: () throws(SystemCallError) -> T) throws(PublishError) -> T {
        do throws(SystemCallError) {
            return try body()
        } catch {
            throw .io("\(what ?? "cannot \(error.operation) \(error.path)"): \(error.reason)")
        }
    }

    /// Creates a folder with `mode`; an existing real folder (never a link) is fine when `existingOK`.
    static func makeFolder(_ path: String, mode: mode_t = 0o755, existingOK: Bool) throws(PublishError) {
        do throws(SystemCallError) {
            try FileTree.makeDirectory(path, mode: mode)
        } catch {
            if error.code == EEXIST, existingOK, FileTree.isDirectory(path) { return }
            throw .io("cannot create the folder \(path): \(error.reason)")
        }
    }

    /// Creates `base/c1/c2/…` folder by folder, each 0755; refuses to go through anything that is
    /// not a real folder (a link or a file of the same name).
    static func makeFolders(base: String, components: [String]) throws(PublishError) {
        guard !components.isEmpty else { return }
        do throws(SystemCallError) {
            try FileTree.makeDirectories(base + "/" + components.joined(separator: "/"), linkedFolders: .refused, syncsParent: false)
        } catch {
            throw .io("cannot create the folder \(error.path): \(error.reason)")
        }
    }

    /// Opens a new file 0644 for writing: never an existing one, never through a link.
    static func createFile(_ path: String) throws(PublishError) -> Int32 {
        do throws(SystemCallError) {
            return try FileTree.createFile(path)
        } catch {
            if error.code == EEXIST { throw .io("the package holds \(path.split(separator: "/").last ?? "") twice") }
            throw .io("cannot create \(path): \(error.reason)")
        }
    }
}
