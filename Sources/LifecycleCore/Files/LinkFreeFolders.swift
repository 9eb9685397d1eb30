import Foundation
import PluginCatalog
import Posix

/// Whether a file of a plugin folder is reached without a symbolic link (status reads its files
/// through ``FolderWalk`` instead, which opens each folder once).
enum LinkFreeFolders {}

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
