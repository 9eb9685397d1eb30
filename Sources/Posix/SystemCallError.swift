#if canImport(Glibc)
import Glibc
#endif

/// A failed system call on a path, with errno kept so ENOSPC / EACCES / EROFS can be told apart.
/// Every module maps it into its own error type (`LifecycleError`, `PublishError`,
/// `MaintenanceError`) in one place, so the problem codes stay theirs.
package struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call that failed (`open`, `rename`, …), or ``refusedOperation`` for a refused link.
    package let operation: String
    package let path: String
    /// errno when the call failed.
    package let code: Int32

    package init(_ operation: String, _ path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// A name that must be a real folder is a symbolic link (or not a folder): refused before any
    /// call could follow it. Not an errno of its own, so callers can tell it from a failing call.
    package static func notARealFolder(_ path: String) -> SystemCallError {
        SystemCallError(refusedOperation, path, code: ENOTDIR)
    }

    package static let refusedOperation = "refuse to follow"

    package var isLinkRefusal: Bool { operation == Self.refusedOperation }

    /// The errno text, or what a refusal means.
    package var reason: String {
        isLinkRefusal ? "not a real folder (a symbolic link?)" : String(cString: strerror(code))
    }

    package var description: String { "\(operation) \(path): \(reason)" }
}
