#if canImport(Glibc)
import Glibc
#endif

/// A value behind a pthread mutex. (Synchronization's `Mutex` needs macOS 15 and the package
/// still declares macOS 14; ThreadSanitizer also understands a pthread mutex, and reported
/// `Mutex`'s accesses as races.)
package final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    package init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
