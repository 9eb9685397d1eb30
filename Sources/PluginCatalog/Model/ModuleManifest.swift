/// One module of a plugin, as declared in `plugin.json` (`modules[]`).
///
/// `name` must match `^[A-Za-z][A-Za-z0-9_]{0,63}$`: it becomes part of module ids
/// (`{plugin_id}_{name}`) and is never used as a path. The catalog checks that when it loads.
public struct ModuleManifest: Codable, Sendable, Equatable {
    public var name: String
    public var displayName: String?
    public var description: String?
    public var icon: String?
    public var category: String?
    public var priority: Int?
    public var props: JSONValue?
    public var configFields: JSONValue?
    public var requiredServices: JSONValue?
    public var layout: JSONValue?
    public var tags: [String]?

    public init(name: String, displayName: String? = nil, description: String? = nil, icon: String? = nil,
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
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 64, isLetter(first) else { return false }
        return bytes.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
