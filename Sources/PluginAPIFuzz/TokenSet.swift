import Foundation
import TokenAuth

/// Tokens minted once for the fuzzer's fixed secret, named by placeholders the corpus uses in
/// `Authorization` values (`Bearer @user1`). Valid ones let inputs reach the lifecycle; the
/// others exercise each refusal.
struct TokenSet {
    static let secret = Array("fuzz-secret-0123456789abcdef0123456789".utf8)

    /// Longest placeholder first, so `@user1` never eats the start of `@user10`.
    let replacements: [(placeholder: String, token: String)]

    init() throws {
        let now = Date()
        func mint(_ user: String, admin: Bool = false, ttl: TimeInterval = 86_400, secret: [UInt8] = Self.secret,
                  extra: [String: any Sendable]? = nil) throws -> String {
            try TokenMinter.mint(userID: user, admin: admin, ttl: ttl, secret: secret, extraClaims: extra, now: now)
        }
        let user1 = try mint("fuzz_user1")
        var pairs: [(String, String)] = [
            ("@user1", user1),
            ("@user2", try mint("0f0e0d0c-0b0a-0908-0706-050403020100")),
            ("@admin", try mint("fuzz_admin", admin: true)),
            ("@roles", try mint("fuzz_roles", extra: ["roles": ["admin"]])),
            ("@expired", try mint("fuzz_user1", ttl: -3600)),
            ("@refresh", try mint("fuzz_user1", extra: ["refresh": true])),
            ("@future", try mint("fuzz_user1", extra: ["nbf": Int(now.timeIntervalSince1970) + 86_400])),
            ("@badsub", try mint("../../etc")),
            ("@wrongkey", try mint("fuzz_user1", secret: Array("another-secret-0123456789abcdef012345".utf8))),
        ]
        // alg "none": the first two segments of a real token with the header swapped.
        let payload = user1.split(separator: ".")[1]
        pairs.append(("@none", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + payload + "."))
        replacements = pairs.sorted { $0.0.count > $1.0.count }
    }

    func substitute(_ value: String) -> String {
        guard value.contains("@") else { return value }
        var result = value
        for (placeholder, token) in replacements where result.contains(placeholder) {
            result = result.replacingOccurrences(of: placeholder, with: token)
        }
        return result
    }
}
