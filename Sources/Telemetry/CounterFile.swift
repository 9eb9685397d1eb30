import CSharedCounters
#if canImport(Glibc)
import Glibc
#endif

/// One process's counters: a file of ``MetricsSchema`` words mapped `MAP_SHARED`, so another
/// process reading the file sees the counts as they are now. Words change only by atomic adds.
package final class CounterFile: @unchecked Sendable {
    package let path: String
    private let words: UnsafeMutablePointer<UInt64>
    private let writable: Bool

    private init(path: String, words: UnsafeMutablePointer<UInt64>, writable: Bool) {
        self.path = path; self.words = words; self.writable = writable
    }

    deinit { munmap(words, MetricsSchema.totalWords * 8) }

    static var byteCount: Int { MetricsSchema.totalWords * 8 }

    /// Creates (or replaces) the file with zeroed counters and this process's header.
    package static func create(path: String, role: CounterFileRole, threads: Int = 0,
                              pid: Int32 = getpid()) throws(TelemetryError) -> CounterFile {
        let temporary = path + ".new"
        let fd = Glibc.open(temporary, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw TelemetryError.system("create \(temporary)", errno) }
        defer { close(fd) }
        // Blocks reserved, not just a size: a shared mapping of a sparse file gets SIGBUS on the
        // first write to a page the full disk cannot back. ENOSPC here is a clean "no counters".
        let reserved = posix_fallocate(fd, 0, off_t(byteCount))
        guard reserved == 0 else { unlink(temporary); throw .system("reserve \(temporary)", reserved) }
        guard let file = map(fd: fd, path: path, writable: true) else { let code = errno; unlink(temporary); throw .system("map \(temporary)", code) }
        file.set(.magic, MetricsSchema.magic)
        file.set(.version, MetricsSchema.layoutVersion)
        file.set(.pid, UInt64(pid))
        file.set(.role, role.rawValue)
        file.set(.startedMillis, Clock.unixMillis())
        file.set(.threads, UInt64(max(0, threads)))
        // Readers list the directory: the file appears only once its header is complete.
        guard rename(temporary, path) == 0 else { let code = errno; unlink(temporary); throw .system("rename \(temporary)", code) }
        return file
    }

    /// Maps an existing file; nil when it is missing, short or not a counter file of this layout.
    package static func openExisting(path: String, writable: Bool = false) -> CounterFile? {
        let fd = Glibc.open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, Int(st.st_size) >= byteCount, let file = map(fd: fd, path: path, writable: writable) else { return nil }
        guard file[.magic] == MetricsSchema.magic, file[.version] == MetricsSchema.layoutVersion else { return nil }
        return file
    }

    private static func map(fd: Int32, path: String, writable: Bool) -> CounterFile? {
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        guard let raw = mmap(nil, byteCount, protection, MAP_SHARED, fd, 0), raw != MAP_FAILED else { return nil }
        return CounterFile(path: path, words: raw.bindMemory(to: UInt64.self, capacity: MetricsSchema.totalWords), writable: writable)
    }

    // MARK: - Words

    subscript(word: Int) -> UInt64 { shared_counter_load(words + word) }
    subscript(header: MetricsSchema.Header) -> UInt64 { self[header.rawValue] }

    func add(_ word: Int, _ amount: UInt64 = 1) {
        precondition(writable)
        shared_counter_add(words + word, amount)
    }

    func add(_ header: MetricsSchema.Header, _ amount: UInt64 = 1) { add(header.rawValue, amount) }

    func set(_ header: MetricsSchema.Header, _ value: UInt64) {
        precondition(writable)
        shared_counter_store(words + header.rawValue, value)
    }

    func raise(_ header: MetricsSchema.Header, to value: UInt64) {
        precondition(writable)
        shared_counter_max(words + header.rawValue, value)
    }

    func decrement(_ header: MetricsSchema.Header) {
        precondition(writable)
        shared_counter_decrement(words + header.rawValue)
    }

    /// Adds every summed word of `other` into this file (a dead worker's counts into the master's).
    func absorb(_ other: CounterFile) {
        for word in MetricsSchema.summedRange {
            let value = other[word]
            if value != 0 { add(word, value) }
        }
        for header in MetricsSchema.summedHeader { add(header, other[header]) }
    }
}

package enum TelemetryError: Error, CustomStringConvertible, Equatable {
    case system(String, Int32)

    package var description: String {
        switch self {
        case .system(let what, let code): "\(what): \(String(cString: strerror(code)))"
        }
    }
}

enum Clock {
    static func unixMillis() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec / 1_000_000)
    }

    static func monotonicMicros() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec / 1000)
    }
}
