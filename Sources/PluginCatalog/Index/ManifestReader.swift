import Foundation

/// Reads `plugin.json` in one pass: bytes → `JSONValue` (through JSONSerialization) →
/// `PluginManifest`, with the JSON field path of the first problem (`modules[0].name`).
///
/// Why not `JSONDecoder` twice: decoding a free-form `JSONValue` through `Decodable` tries each
/// type in turn and throws on every miss; that made one manifest cost milliseconds in a debug
/// build. This path costs a fraction of that and names fields the same way.
enum ManifestReader {
    struct FieldError: Error {
        let field: String?
        let message: String
    }

    /// Any JSON text → `JSONValue`; nil with a reason when it is not JSON.
    static func parse(_ data: Data) throws(FieldError) -> JSONValue {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw FieldError(field: nil, message: "is not valid JSON (\(Self.reason(error)))")
        }
        return value(object)
    }

    private static let booleanClass: AnyClass = type(of: NSNumber(value: true))

    static func value(_ any: Any) -> JSONValue {
        switch any {
        case let number as NSNumber:
            // JSONSerialization hands back booleans as a distinct NSNumber subclass.
            if type(of: number) == booleanClass { return .bool(number.boolValue) }
            return .number(number.doubleValue)
        case let string as String: return .string(string)
        case let array as [Any]: return .array(array.map(value))
        case let object as [String: Any]: return .object(object.mapValues(value))
        default: return .null
        }
    }

    private static func reason(_ error: any Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }

    // MARK: - JSONValue → PluginManifest

    static func manifest(_ json: JSONValue) throws(FieldError) -> PluginManifest {
        guard case .object(let top) = json else { throw FieldError(field: nil, message: "must hold a JSON object") }
        let modulesValue = try required(top, "modules", path: nil)
        guard case .array(let moduleValues) = modulesValue else { throw FieldError(field: "modules", message: "expected an array") }
        // Same order of checks as the fields are listed, so the first problem reported is stable.
        let slug = try string(top, "slug", path: nil)
        let name = try string(top, "name", path: nil)
        let version = try string(top, "version", path: nil)
        var modules: [ModuleManifest] = []
        for (index, moduleValue) in moduleValues.enumerated() {
            let path = "modules[\(index)]"
            guard case .object(let m) = moduleValue else { throw FieldError(field: path, message: "expected an object") }
            modules.append(ModuleManifest(
                name: try string(m, "name", path: path),
                displayName: try optionalString(m, "display_name", path: path),
                description: try optionalString(m, "description", path: path),
                icon: try optionalString(m, "icon", path: path),
                category: try optionalString(m, "category", path: path),
                priority: try optionalInt(m, "priority", path: path),
                props: optionalAny(m, "props"),
                configFields: optionalAny(m, "config_fields"),
                requiredServices: optionalAny(m, "required_services"),
                layout: optionalAny(m, "layout"),
                tags: try optionalStrings(m, "tags", path: path)))
        }
        var dependencies: [String: String] = [:]
        switch top["dependencies"] {
        case nil, .null?: break
        case .object(let deps)?:
            for (key, range) in deps {
                guard case .string(let text) = range else {
                    throw FieldError(field: "dependencies.\(key)", message: "expected a version range string")
                }
                dependencies[key] = text
            }
        default: throw FieldError(field: "dependencies", message: "expected an object of slug → version range")
        }
        return PluginManifest(slug: slug, name: name, version: version,
                              description: try optionalString(top, "description", path: nil),
                              author: try optionalString(top, "author", path: nil),
                              scope: try optionalString(top, "scope", path: nil),
                              bundleLocation: try optionalString(top, "bundle_location", path: nil),
                              modules: modules, dependencies: dependencies,
                              legacySlugs: try optionalStrings(top, "legacy_slugs", path: nil) ?? [])
    }

    private static func field(_ path: String?, _ key: String) -> String { path.map { "\($0).\(key)" } ?? key }

    private static func required(_ object: [String: JSONValue], _ key: String, path: String?) throws(FieldError) -> JSONValue {
        switch object[key] {
        case nil: throw FieldError(field: field(path, key), message: "is missing")
        case .null?: throw FieldError(field: field(path, key), message: "must not be null")
        case let value?: return value
        }
    }

    private static func string(_ object: [String: JSONValue], _ key: String, path: String?) throws(FieldError) -> String {
        guard case .string(let text) = try required(object, key, path: path) else {
            throw FieldError(field: field(path, key), message: "expected a string")
        }
        return text
    }

    private static func optionalString(_ object: [String: JSONValue], _ key: String, path: String?) throws(FieldError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw FieldError(field: field(path, key), message: "expected a string")
        }
    }

    private static func optionalInt(_ object: [String: JSONValue], _ key: String, path: String?) throws(FieldError) -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case .number(let number)? where number.rounded() == number && abs(number) <= 9_007_199_254_740_992: return Int(number)
        default: throw FieldError(field: field(path, key), message: "expected an integer")
        }
    }

    private static func optionalStrings(_ object: [String: JSONValue], _ key: String, path: String?) throws(FieldError) -> [String]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw FieldError(field: "\(field(path, key))[\(index)]", message: "expected a string")
                }
                strings.append(text)
            }
            return strings
        default: throw FieldError(field: field(path, key), message: "expected an array of strings")
        }
    }

    private static func optionalAny(_ object: [String: JSONValue], _ key: String) -> JSONValue? {
        if case .null? = object[key] { return nil }
        return object[key]
    }
}
