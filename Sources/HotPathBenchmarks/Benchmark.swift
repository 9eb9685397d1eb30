/// One operation to time.
///
/// `run` does the real work once and returns a fingerprint of its answer. The fingerprint of a
/// reference answer, checked when the benchmark was built, is `expected`: the runner sums the
/// fingerprints of every call and compares the sum with calls x `expected`, so a call can be
/// neither optimised away nor silently answer something else (a 401, an error, another user).
struct Benchmark {
    let name: String
    /// Requests done by one call of `run` (times are reported per request).
    let batch: Int
    let expected: Int
    let run: () -> Int

    init(_ name: String, batch: Int = 1, expected: Int, run: @escaping () -> Int) {
        self.name = name; self.batch = batch; self.expected = expected; self.run = run
    }
}

/// What one benchmark measured.
struct Measurement {
    let name: String
    /// Nanoseconds per request, one value per sample.
    let samples: [Double]
    /// Bytes resident memory grew by over all samples (nil where the system does not say).
    let residentGrowth: Int?

    var median: Double {
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    var best: Double { samples.min() ?? .nan }
}

/// A fixture that could not be built, or a reference answer that is not the one expected.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct FingerprintMismatch: Error, CustomStringConvertible {
    let name: String
    let calls: Int
    let got: Int
    let want: Int
    var description: String {
        "\(name): \(calls) calls summed to fingerprint \(got), want \(want): some call answered differently from the checked reference"
    }
}

/// Warm-up, calibration and timed samples.
struct Runner {
    /// Target duration of one sample.
    let seconds: Double
    let samples: Int

    func measure(_ benchmark: Benchmark) throws -> Measurement {
        let target = seconds * 1e9
        // Warm-up doubles the call count until a tenth of a sample has passed (caches, lazy
        // statements, the allocator's pools); the last round also gives the per-call estimate.
        var calls = 1
        var estimate = 0.0
        while true {
            let elapsed = try timed(benchmark, calls: calls)
            estimate = elapsed / Double(calls)
            if elapsed >= target / 10 || calls >= 1 << 30 { break }
            calls *= 2
        }
        let perSample = max(1, Int(target / max(estimate, 1)))

        let residentBefore = ResidentMemory.bytes()
        var perRequest: [Double] = []
        for _ in 0..<samples {
            let elapsed = try timed(benchmark, calls: perSample)
            perRequest.append(elapsed / Double(perSample * benchmark.batch))
        }
        let residentAfter = ResidentMemory.bytes()
        let growth = residentBefore.flatMap { before in residentAfter.map { $0 - before } }
        return Measurement(name: benchmark.name, samples: perRequest, residentGrowth: growth)
    }

    /// Nanoseconds for `calls` calls; throws when their fingerprints do not add up.
    private func timed(_ benchmark: Benchmark, calls: Int) throws -> Double {
        var sum = 0
        let start = MonotonicClock.nanoseconds()
        for _ in 0..<calls { sum &+= benchmark.run() }
        let elapsed = MonotonicClock.nanoseconds() - start
        let want = benchmark.expected &* calls
        guard sum == want else { throw FingerprintMismatch(name: benchmark.name, calls: calls, got: sum, want: want) }
        return Double(elapsed)
    }
}
