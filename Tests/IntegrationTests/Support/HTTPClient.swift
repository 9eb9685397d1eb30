import Foundation

/// A deliberately small HTTP/1.0 client over a real TCP socket: one request per connection,
/// the response read to EOF (so nginx never chunks), bytes in and out exactly as sent.
struct HTTPResult: Sendable {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]

    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    var data: [String: Any]? { json?["data"] as? [String: Any] }
    var code: String? { json?["code"] as? String }
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

enum HTTPClientError: Error { case connect(Int32), malformed(String) }

/// `source`: the local address to connect from (any 127.x.y.z is loopback on Linux, but only
/// 127.0.0.1 is what nginx's `allow 127.0.0.1` allows).
func httpRequest(port: Int, method: String, path: String, headers: [String: String] = [:],
                 body: [UInt8] = [], timeout: Int = 30, source: String? = nil) throws -> HTTPResult {
    var head = "\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
    head += "\r\n"
    return try parseHTTPResponse(try rawExchange(port: port, Array(head.utf8) + body, timeout: timeout, source: source))
}

/// Status, headers (names lowercased, repeats joined) and body of a whole answer read to EOF.
func parseHTTPResponse(_ response: [UInt8]) throws -> HTTPResult {
    guard let split = response.firstRange(of: Array("\r\n\r\n".utf8)) else {
        throw HTTPClientError.malformed(String(decoding: response.prefix(200), as: UTF8.self))
    }
    let lines = String(decoding: response[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
    let statusParts = lines[0].split(separator: " ")
    guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw HTTPClientError.malformed(lines[0]) }
    var headerMap: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        headerMap[name] = headerMap[name].map { $0 + ", " + value } ?? value
    }
    return HTTPResult(status: status, headers: headerMap, body: Array(response[split.upperBound...]))
}

/// Sends `request` exactly as given (hostile framing included) on a new connection to loopback
/// and returns every byte of the answer, read to EOF.
func rawExchange(port: Int, _ request: [UInt8], timeout: Int = 30, source: String? = nil) throws -> [UInt8] {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HTTPClientError.connect(errno) }
    defer { close(fd) }
    var tv = timeval(tv_sec: timeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    if let source {
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HTTPClientError.connect(errno) }
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw HTTPClientError.connect(errno) }
    var sent = 0
    while sent < request.count {
        let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // nginx may answer (413) and close before it has read a large body: read what it said.
        if n <= 0 { break }
        sent += n
    }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        response += buffer[0..<n]
    }
    return response
}
