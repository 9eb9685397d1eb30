import ArgumentParser
import Foundation

/// Times the hot path in-process (no nginx, no FastCGI): token checks, routing, the service's
/// queries, encoding, and whole requests through PluginAPI. Build it in release mode
/// (deploy/microbench); a debug build only shows that it still runs and its checks hold.
@main
struct MicrobenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin-lifecycle-microbench",
        abstract: "Micro-benchmarks of the request hot path, with an optional regression gate.")

    @Option(help: "Run only the benchmarks whose name contains this.") var filter: String?
    @Option(help: "Target duration of one sample, in seconds.") var seconds: Double = 0.5
    @Option(help: "Timed samples per benchmark (the median is reported).") var samples: Int = 5
    @Option(help: "Users seeded with every catalog plugin before timing.") var users: Int = 100
    @Option(help: "Catalog folder to copy into the fixture (default: deploy/catalog of this checkout).") var catalog: String?
    @Option(help: "Write the results as JSON (benchmark name → median ns/op) to this file.") var json: String?
    @Option(help: "A file written earlier by --json: print each new median as a ratio to its old one.") var baseline: String?
    @Option(help: "With --baseline: fail when a median is more than this factor of the baseline's (e.g. 1.25).")
    var maxRegression: Double?

    func validate() throws {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be positive") }
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
        guard users >= 1 else { throw ValidationError("--users must be at least 1") }
        if let maxRegression {
            guard baseline != nil else { throw ValidationError("--max-regression needs --baseline") }
            guard maxRegression > 0 else { throw ValidationError("--max-regression must be positive") }
        }
    }

    func run() throws {
        // Read first: a wrong path should fail before a minute of measuring.
        let report = Report(baseline: try baseline.map(Report.readBaseline))

        let seeding = MonotonicClock.nanoseconds()
        let fixture = try Fixture(catalog: catalog ?? Fixture.repositoryCatalog, users: users)
        defer { fixture.remove() }
        let seeded = Double(MonotonicClock.nanoseconds() - seeding) / 1e9
        log("fixture: \(users) users x \(fixture.installedSlugs.count) plugins installed in \(String(format: "%.1f", seeded)) s")

        let benchmarks = try HotPathSuite.all(fixture).filter { filter.map($0.name.contains) ?? true }
        guard !benchmarks.isEmpty else { throw ValidationError("no benchmark name contains '\(filter ?? "")'") }

        emit(report.header())
        let runner = Runner(seconds: seconds, samples: samples)
        var measurements: [Measurement] = []
        for benchmark in benchmarks {
            let measurement = try runner.measure(benchmark)
            emit(report.line(measurement))
            measurements.append(measurement)
        }
        log("every call's answer matched its checked reference")

        if let json {
            try Report.writeJSON(measurements, to: json)
            log("wrote \(json)")
        }
        if let maxRegression {
            let slower = measurements.filter { (report.ratio($0) ?? 0) > maxRegression }
            for measurement in slower {
                log("regression: \(measurement.name) is \(String(format: "%.2f", report.ratio(measurement)!))x the baseline (limit \(maxRegression)x)")
            }
            if !slower.isEmpty { throw ExitCode.failure }
        }
    }

    /// Unbuffered, so each row shows as soon as it is measured, also through a pipe.
    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func log(_ text: String) {
        FileHandle.standardError.write(Data("[microbench] \(text)\n".utf8))
    }
}
