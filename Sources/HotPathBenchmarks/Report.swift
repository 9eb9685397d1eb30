import Foundation

/// The table, the JSON results file (benchmark name → median ns per request) and the comparison
/// with a baseline written earlier in that format.
struct Report {
    let baseline: [String: Double]?

    private static let columns: [(title: String, width: Int)] = [
        ("benchmark", 16), ("median ns/op", 13), ("min ns/op", 13), ("ops/s", 12), ("RSS Δ KiB", 10), ("vs baseline", 12),
    ]

    func header() -> String {
        let titles = Self.columns.prefix(baseline == nil ? 5 : 6)
        return row(titles.map(\.title)) + "\n" + row(titles.map { String(repeating: "-", count: $0.width) })
    }

    func line(_ measurement: Measurement) -> String {
        var cells = [
            measurement.name, Self.nanoseconds(measurement.median), Self.nanoseconds(measurement.best),
            String(format: "%.0f", 1e9 / measurement.median),
            measurement.residentGrowth.map { String(format: "%+.1f", Double($0) / 1024) } ?? "n/a",
        ]
        if baseline != nil { cells.append(ratio(measurement).map { String(format: "%.2fx", $0) } ?? "new") }
        return row(cells)
    }

    /// New median over the baseline's, when the baseline has this benchmark.
    func ratio(_ measurement: Measurement) -> Double? {
        guard let old = baseline?[measurement.name], old > 0 else { return nil }
        return measurement.median / old
    }

    private func row(_ cells: [String]) -> String {
        zip(cells, Self.columns).enumerated().map { index, pair in
            let (text, column) = pair
            let pad = String(repeating: " ", count: max(0, column.width - text.count))
            // Names read left-aligned, numbers right-aligned.
            return index == 0 ? text + pad : pad + text
        }.joined(separator: "  ")
    }

    private static func nanoseconds(_ value: Double) -> String {
        String(format: value < 100 ? "%.1f" : "%.0f", value)
    }

    static func writeJSON(_ measurements: [Measurement], to path: String) throws {
        let medians = Dictionary(measurements.map { ($0.name, $0.median) }, uniquingKeysWith: { first, _ in first })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(medians).write(to: URL(fileURLWithPath: path))
    }

    static func readBaseline(_ path: String) throws -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: path) else { throw HarnessError("cannot read the baseline \(path)") }
        guard let medians = try? JSONDecoder().decode([String: Double].self, from: data) else {
            throw HarnessError("baseline \(path): not a JSON object of benchmark name to median ns/op (a --json file)")
        }
        return medians
    }
}
