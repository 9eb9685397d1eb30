import Foundation

/// The clock samples are timed with: monotonic, nanoseconds, no allocation.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}

/// Resident memory, where the system says cheaply (Linux): growth over a benchmark that keeps
/// repeating the same request hints at a leak or an unbounded cache. glibc's mallinfo2() would
/// be finer, but Swift's Glibc module does not import <malloc.h>.
enum ResidentMemory {
    static func bytes() -> Int? {
        // statm: size, resident, ... in pages.
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
