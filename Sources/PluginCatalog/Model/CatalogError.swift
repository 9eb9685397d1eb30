/// What went wrong in one package of the catalog: the file (relative to the catalog root, never
/// an absolute path, so it can be logged and shown), the JSON field when there is one, and why.
package struct CatalogProblem: Sendable, Equatable, CustomStringConvertible {
    /// Path relative to the catalog root, e.g. `braindrive-network/1.0.0/plugin.json`.
    package let file: String
    /// JSON field path such as `modules[0].name`, or nil when the problem is not about a field.
    package let field: String?
    package let message: String

    package init(file: String, field: String? = nil, message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    package var description: String {
        if let field { return "\(file): field '\(field)': \(message)" }
        return "\(file): \(message)"
    }
}

/// The errors of the catalog layer; the API maps them to problem codes in one place
/// (`invalid_slug`, `invalid_version`, `bad_request`, `invalid_package`).
package enum CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidSlug(String)
    case invalidVersion(String)
    case invalidRange(String)
    case invalidPackage(CatalogProblem)

    package var description: String {
        switch self {
        case .invalidSlug(let raw): "invalid slug \(Self.quoted(raw))"
        case .invalidVersion(let raw): "invalid semantic version \(Self.quoted(raw))"
        case .invalidRange(let raw): "invalid version range \(Self.quoted(raw))"
        case .invalidPackage(let problem): "invalid package: \(problem)"
        }
    }

    /// Raw input comes from URLs and files: escape control characters and cut it short so a
    /// log line stays one short line.
    static func quoted(_ raw: String) -> String {
        let cut = raw.count > 80 ? String(raw.prefix(80)) + "…" : raw
        return String(reflecting: cut)
    }
}
