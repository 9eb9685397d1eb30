#if canImport(Glibc)
import Glibc
#endif
import Posix

/// Opens the listening socket that the master passes to every worker as fd 0.
///
/// Sockets are created close-on-exec: the supervisor's `dup2` onto fd 0 clears the flag on the
/// copy each worker inherits, and no stray descriptor leaks into anything else it spawns.
package enum FastCGISocket {
    /// Opens a listening unix socket (unlinking a stale socket file first), chmod to `mode`,
    /// returns the fd.
    ///
    /// A path that exists and is not a socket, or a socket some live process still accepts on,
    /// is refused rather than unlinked.
    package static func listen(unixPath: String, backlog: Int32 = 1024, mode: mode_t = 0o660) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(unixPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else { throw FastCGITransportError.pathTooLong(unixPath) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }

        let kind = FileTree.kind(unixPath)
        if kind != .missing {
            guard kind == .socket else { throw FastCGITransportError.notASocket(unixPath) }
            if isAccepting(&address) { throw FastCGITransportError.addressInUse(unixPath) }
            unlink(unixPath)
        }

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FastCGITransportError.system(call: "socket", errno: errno) }
        do {
            try check("bind", withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            })
            try check("chmod", chmod(unixPath, mode))
            try check("listen", Glibc.listen(fd, backlog))
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Loopback TCP, e.g. "127.0.0.1", 9000 (IPv6 literals such as "::1" work too).
    package static func listen(host: String, port: Int, backlog: Int32 = 1024) throws -> Int32 {
        guard (0...65535).contains(port) else { throw FastCGITransportError.invalidHost("\(host):\(port)") }
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
        } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
        } else {
            throw FastCGITransportError.invalidHost(host)
        }

        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FastCGITransportError.system(call: "socket", errno: errno) }
        do {
            var one: Int32 = 1
            try check("setsockopt", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)))
            let bound: Int32 = if family == AF_INET {
                withUnsafePointer(to: &v4) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            } else {
                withUnsafePointer(to: &v6) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
                }
            }
            try check("bind", bound)
            try check("listen", Glibc.listen(fd, backlog))
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    private static func check(_ call: String, _ result: Int32) throws {
        if result != 0 { throw FastCGITransportError.system(call: call, errno: errno) }
    }

    private static func isAccepting(_ address: inout sockaddr_un) -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { close(probe) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}
