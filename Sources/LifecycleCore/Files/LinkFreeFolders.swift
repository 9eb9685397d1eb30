import Foundation
import PluginCatalog
import Posix

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

extension LinkFreeFolders {
    /// Size and SHA-256 of a regular file of a plugin folder; nil when absent, not a regular file,
    /// or reached through a link (see ``isInsidePluginFolderWithoutLinks(_:)``).
    static func digest(_ path: String) -> (size: Int64, sha256: String)? {
        guard isInsidePluginFolderWithoutLinks(path) else { return nil }
        return FileDigest.sha256(path)
    }

    /// True when no symlink lies between `path` and the plugin folder holding it, nor as that
    /// folder's parent (the user's folder). The plugin folder is the nearest one above that holds
    /// `plugin_metadata.json` (also a staged copy) or sits at `plugins/{user}/{slug}` (an installed
    /// copy that lost its metadata file).
    static func isInsidePluginFolderWithoutLinks(_ path: String) -> Bool {
        var folder = (path as NSString).deletingLastPathComponent
        for _ in 0..<64 {
            guard !folder.isEmpty, folder != "/", FileTree.isDirectory(folder) else { return false }
            let parent = (folder as NSString).deletingLastPathComponent
            if FileTree.regularFileSize(folder + "/" + PluginMetadataFile.fileName) != nil
                || ((parent as NSString).deletingLastPathComponent as NSString).lastPathComponent == "plugins" {
                return FileTree.isDirectory(parent)
            }
            folder = parent
        }
        return false
    }
}
