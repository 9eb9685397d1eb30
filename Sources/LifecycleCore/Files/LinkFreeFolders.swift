/// Which files of one installed plugin status may read: those whose every folder, from the user's
/// folder down, is a real folder and not a symbolic link (a linked subfolder or user folder reads
/// as missing instead of vouching for files that live elsewhere).
///
/// Each folder is checked once per walk: checking every file's whole chain of folders again was a
/// fifth of a status request (callgrind).
struct LinkFreeFolders {
    let pluginFolder: String
    private let rootIsReal: Bool
    private var known: [Substring: Bool] = [:]

    /// `pluginFolder` is `plugins/{user}/{slug}`; it and the user's folder above it must be real folders.
    init(pluginFolder: String) {
        self.pluginFolder = pluginFolder
        let userFolder = pluginFolder.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(pluginFolder[..<$0]) } ?? ""
        rootIsReal = !userFolder.isEmpty && FileTree.isDirectory(userFolder) && FileTree.isDirectory(pluginFolder)
    }

    /// Whether the file at `relativePath` (as recorded at install: no `..`, no leading `/`) is
    /// reached through real folders only. Says nothing of the file itself.
    mutating func reaches(_ relativePath: String) -> Bool {
        guard rootIsReal else { return false }
        // Searched in UTF-8: Character-wise lastIndex(of:) was a third of status's file checks.
        guard let slash = relativePath.utf8.lastIndex(of: UInt8(ascii: "/")) else { return true }
        return isReal(relativePath[..<slash])
    }

    private mutating func isReal(_ folder: Substring) -> Bool {
        if let answer = known[folder] { return answer }
        let parentIsReal = folder.utf8.lastIndex(of: UInt8(ascii: "/")).map { isReal(folder[..<$0]) } ?? true
        let answer = parentIsReal && FileTree.isDirectory(pluginFolder + "/" + folder)
        known[folder] = answer
        return answer
    }
}
