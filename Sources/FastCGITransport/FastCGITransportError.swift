#if canImport(Glibc)
import Glibc
#endif

/// Failures of the transport's own setup (sockets); request-level problems never throw.
package enum FastCGITransportError: Error, CustomStringConvertible, Equatable {
    /// A unix socket path longer than `sun_path` allows (107 bytes on Linux).
    case pathTooLong(String)
    /// The path exists and is not a socket: refused rather than deleted.
    case notASocket(String)
    /// Another process is accepting on this unix socket path (a connect succeeded).
    case addressInUse(String)
    /// The host is not a numeric IPv4/IPv6 address.
    case invalidHost(String)
    /// A system call failed.
    case system(call: String, errno: Int32)

    package var description: String {
        switch self {
        case .pathTooLong(let p): "socket path too long: \(p)"
        case .notASocket(let p): "refusing to replace \(p): not a socket"
        case .addressInUse(let p): "another process is listening on \(p)"
        case .invalidHost(let h): "not a numeric address: \(h)"
        case .system(let call, let e): "\(call): \(String(cString: strerror(e)))"
        }
    }
}
