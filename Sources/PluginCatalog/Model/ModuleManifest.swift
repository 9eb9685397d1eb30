/// One module of a plugin, as declared in `plugin.json` (`modules[]`).
///
/// `name` must match `^[A-Za-z][A-Za-z0-9_]{0,63}$`: it becomes part of module ids
/// (`{plugin_id}_{name}`) and is never used as a path. The catalog checks that when it loads.
package struct ModuleManifest: Codable, Sendable, Equatable {
    package var name: String
    package var displayName: String?
    package var description: String?
    package var icon: String?
    package var category: String?
    package var priority: Int?
    package var props: JSONValue?
    package var configFields: JSONValue?
    package var requiredServices: JSONValue?
    package var layout: JSONValue?
    package var tags: [String]?

    package init(name: String, displayName: String? = nil, description: String? = nil, icon: String? = nil,
                category: String? = nil, priority: Int? = nil, props: JSONValue? = nil, configFields: JSONValue? = nil,
                requiredServices: JSONValue? = nil, layout: JSONValue? = nil, tags: [String]? = nil) {
        self.name = name
        self.displayName = displayName
        self.description = description
        self.icon = icon
        self.category = category
        self.priority = priority
        self.props = props
        self.configFields = configFields
        self.requiredServices = requiredServices
        self.layout = layout
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case name, description, icon, category, priority, props, layout, tags
        case displayName = "display_name"
        case configFields = "config_fields"
        case requiredServices = "required_services"
    }

    /// `^[A-Za-z][A-Za-z0-9_]{0,63}$`
    package static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 64, isLetter(first) else { return false }
        return bytes.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
