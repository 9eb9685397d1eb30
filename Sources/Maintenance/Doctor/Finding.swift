/// One thing `doctor` looked at: how bad it is, what it found, and what the operator should do.
package struct Finding: Codable, Sendable, Equatable {
    package enum Severity: String, Codable, Sendable, Comparable {
        case ok, warning, error

        private var rank: Int { self == .ok ? 0 : self == .warning ? 1 : 2 }
        package static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
    }

    /// Which part of the installation the finding is about; the report is grouped by it.
    package enum Area: String, Codable, Sendable, CaseIterable {
        case configuration, permissions, database, catalog, plugins, staging
    }

    package var severity: Severity
    package var area: Area
    /// A stable name for scripts and tests, e.g. `orphan_folder`, `files_modified`.
    package var code: String
    /// The path or `user/slug` concerned, if any.
    package var subject: String?
    package var message: String
    /// What to do about it; nil for `ok`.
    package var remedy: String?

    package init(_ severity: Severity, _ area: Area, _ code: String, subject: String? = nil, _ message: String, remedy: String? = nil) {
        self.severity = severity; self.area = area; self.code = code
        self.subject = subject; self.message = message; self.remedy = remedy
    }
}
