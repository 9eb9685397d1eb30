/// Turns fuzzer bytes into the CGI params and body a FastCGI worker would hand to the API.
///
/// The bytes read like a raw HTTP request, so corpus seeds stay legible and libFuzzer's
/// mutations land on meaningful parts:
///
/// ```text
/// POST /api/plugins/braindrive-network/install?x=1
/// Authorization: Bearer @user1
/// Content-Type: application/json
/// $REQUEST_ID: abc
///
/// {"version": "1.0.0"}
/// ```
///
/// First line: method, a space, REQUEST_URI (QUERY_STRING is what follows `?`). Header lines
/// become `HTTP_*` params (`Content-Type`/`Content-Length` become `CONTENT_*`), `$NAME: value`
/// sets a raw param. In `Authorization`, the placeholders of ``TokenSet`` are replaced by
/// tokens minted at start-up. After the first empty line comes the body.
struct FuzzInput {
    var params: [String: String]
    var body: [UInt8]
    var bodyTooLarge: Bool
    var paramsTooLarge: Bool

    /// The transport's defaults (FastCGIWorkerConfiguration): 1 MiB body, 64 KiB of params.
    static let maxBodyBytes = 1 << 20
    static let maxParamsBytes = 64 << 10

    init(_ bytes: [UInt8], tokens: TokenSet) {
        let (head, rawBody) = Self.split(bytes)
        var lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }
        var params: [String: String] = [:]
        let requestLine = lines.isEmpty ? [] : Array(lines.removeFirst())
        if let space = requestLine.firstIndex(of: UInt8(ascii: " ")) {
            params["REQUEST_METHOD"] = Self.text(requestLine[..<space])
            let uri = Self.text(requestLine[(space + 1)...])
            params["REQUEST_URI"] = uri
            params["QUERY_STRING"] = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
                .dropFirst().first.map(String.init) ?? ""
        } else {
            params["REQUEST_METHOD"] = Self.text(requestLine[...])
        }
        for line in lines {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            var name = Self.text(line[..<colon])
            var value = Self.text(line[(colon + 1)...])
            if value.hasPrefix(" ") { value.removeFirst() }
            if name.hasPrefix("$") {
                name.removeFirst()
            } else {
                let upper = name.uppercased().replacingOccurrences(of: "-", with: "_")
                name = upper == "CONTENT_TYPE" || upper == "CONTENT_LENGTH" ? upper : "HTTP_" + upper
            }
            if name == "HTTP_AUTHORIZATION" { value = tokens.substitute(value) }
            // libfcgi keeps the first of duplicate names (FCGX_GetParam), and so does the transport.
            if params[name] == nil { params[name] = value }
        }
        if params["CONTENT_LENGTH"] == nil && !rawBody.isEmpty { params["CONTENT_LENGTH"] = String(rawBody.count) }

        // What FastCGIWorker.serve does with CONTENT_LENGTH: over the limit, the body is dropped
        // and flagged; otherwise it reads up to the declared length (a short stream gives less).
        let paramBytes = params.reduce(0) { $0 + $1.key.utf8.count + 1 + $1.value.utf8.count }
        let declared = params["CONTENT_LENGTH"].flatMap { Int($0) }.map { max(0, $0) } ?? 0
        paramsTooLarge = paramBytes > Self.maxParamsBytes
        bodyTooLarge = declared > Self.maxBodyBytes
        body = paramsTooLarge || bodyTooLarge ? [] : Array(rawBody.prefix(declared))
        self.params = params
    }

    /// Head and body are separated by the first empty line (`\n\n` or `\r\n\r\n`).
    private static func split(_ bytes: [UInt8]) -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\n") {
                let next = index + 1
                if next < bytes.endIndex && bytes[next] == UInt8(ascii: "\n") { return (bytes[..<index], bytes[(next + 1)...]) }
                if next + 2 <= bytes.endIndex && bytes[next] == UInt8(ascii: "\r") && bytes[next + 1] == UInt8(ascii: "\n") {
                    return (bytes[..<index], bytes[(next + 2)...])
                }
            }
            index += 1
        }
        return (bytes[...], [])
    }

    /// Params reach the API as the transport makes them: invalid UTF-8 replaced, never refused.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}
