/// What `doctor` found, in the order it looked. Errors make the exit code 1; warnings alone do not.
package struct DoctorReport: Codable, Sendable, Equatable {
    package var dataDirectory: String
    package var findings: [Finding]

    package var errors: Int { findings.filter { $0.severity == .error }.count }
    package var warnings: Int { findings.filter { $0.severity == .warning }.count }
    package var exitCode: Int32 { errors > 0 ? 1 : 0 }

    package func findings(_ code: String) -> [Finding] { findings.filter { $0.code == code } }

    enum CodingKeys: String, CodingKey {
        case dataDirectory = "data_directory", findings, errors, warnings, healthy
    }

    package init(dataDirectory: String, findings: [Finding]) {
        self.dataDirectory = dataDirectory; self.findings = findings
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dataDirectory = try container.decode(String.self, forKey: .dataDirectory)
        findings = try container.decode([Finding].self, forKey: .findings)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dataDirectory, forKey: .dataDirectory)
        try container.encode(findings, forKey: .findings)
        try container.encode(errors, forKey: .errors)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(errors == 0, forKey: .healthy)
    }

    /// Text for a terminal: one line per finding, its remedy indented below, a summary last.
    package var text: String {
        var lines = ["doctor: \(dataDirectory)"]
        for finding in findings {
            let label = finding.severity == .ok ? "ok     " : finding.severity == .warning ? "WARNING" : "ERROR  "
            let subject = finding.subject.map { " \($0):" } ?? ""
            lines.append("\(label) [\(finding.area.rawValue)]\(subject) \(finding.message)")
            if let remedy = finding.remedy { lines.append("        -> \(remedy)") }
        }
        lines.append("\(errors) error(s), \(warnings) warning(s)" + (errors == 0 ? ": healthy" : ""))
        return lines.joined(separator: "\n")
    }
}
