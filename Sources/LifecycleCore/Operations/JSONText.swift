import Foundation
import PluginCatalog

/// JSON values as the rows store them: keys sorted, slashes unescaped.
enum JSONText {
    static func encode(_ value: JSONValue) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).flatMap { String(data: $0, encoding: .utf8) }
    }
}
