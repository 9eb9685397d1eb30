import Foundation

/// `plugin_metadata.json` in each installed folder. `operation_id` names the operation that
/// wrote the folder, which is how a rollback tells the new copy from the one it replaced.
struct PluginMetadataFile: Codable, Sendable {
    static let fileName = "plugin_metadata.json"

    var pluginID: String
    var pluginSlug: String
    var userID: String
    var version: String
    var installedAt: String
    var operationID: String
    var files: [String: String]

    enum CodingKeys: String, CodingKey {
        case version, files
        case pluginID = "plugin_id", pluginSlug = "plugin_slug", userID = "user_id"
        case installedAt = "installed_at", operationID = "operation_id"
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    static func operationID(inFolder folder: String) -> String? {
        guard let data = FileManager.default.contents(atPath: folder + "/" + fileName),
              let metadata = try? JSONDecoder().decode(PluginMetadataFile.self, from: data) else { return nil }
        return metadata.operationID
    }
}
