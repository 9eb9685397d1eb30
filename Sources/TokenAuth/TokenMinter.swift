#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Issues HS256 tokens for development and tests; production tokens come from the identity service.
package enum TokenMinter {
    /// HS256 development/test tokens: sub, exp (now+ttl), iat; is_admin true when admin. Used by the CLI `token` command and by tests.
    ///
    /// `userID` is written to `sub` as given (not normalised or checked), and `ttl` may be negative
    /// for tokens that are already expired.
    /// `extraClaims` are added last and replace a standard claim of the same name. Values may be
    /// `String`, `Bool`, integers, `Double`, and arrays or `[String: …]` dictionaries of these.
    package static func mint(
        userID: String, admin: Bool = false, ttl: TimeInterval = 3600, secret: [UInt8],
        extraClaims: [String: any Sendable]? = nil
    ) throws -> String {
        try mint(userID: userID, admin: admin, ttl: ttl, secret: secret, extraClaims: extraClaims, now: Date())
    }

    /// As ``mint(userID:admin:ttl:secret:extraClaims:)``, with the clock passed in.
    package static func mint(
        userID: String, admin: Bool = false, ttl: TimeInterval = 3600, secret: [UInt8],
        extraClaims: [String: any Sendable]?, now: Date
    ) throws -> String {
        // Ten years either way is plenty for dev tokens and keeps the Int arithmetic from trapping.
        guard ttl.isFinite, abs(ttl) <= 315_360_000 else {
            throw TokenAuthSetupError.invalidConfiguration("ttl must be finite and at most ten years")
        }
        let issuedAt = Int(now.timeIntervalSince1970)
        var claims: [String: JSONValue] = [
            "sub": .string(userID),
            "iat": .integer(issuedAt),
            "exp": .integer(issuedAt + Int(ttl)),
        ]
        if admin { claims["is_admin"] = .bool(true) }
        for (name, value) in extraClaims ?? [:] {
            claims[name] = try JSONValue(value, claim: name)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let key = try SignatureKey.hmacSHA256(secret: secret)
        let header = try encoder.encode(["alg": "HS256", "typ": "JWT"])
        let payload = try encoder.encode(claims)
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let signature: [UInt8]
        do {
            signature = try key.algorithm.sign(Array(signingInput.utf8))
        } catch {
            throw TokenAuthSetupError.keyLoadingFailed("signing failed: \(error)")
        }
        return signingInput + "." + Base64URL.encode(signature)
    }
}

/// A claim value for minting.
private enum JSONValue: Encodable {
    case string(String), bool(Bool), integer(Int), number(Double)
    case array([JSONValue]), object([String: JSONValue])

    init(_ value: Any, claim: String) throws {
        switch value {
        case let value as JSONValue: self = value
        case let value as Bool: self = .bool(value)
        case let value as String: self = .string(value)
        case let value as Int: self = .integer(value)
        case let value as any BinaryInteger:
            guard let int = Int(exactly: value) else { throw Self.unsupported(claim) }
            self = .integer(int)
        case let value as Double: self = .number(value)
        case let value as Float: self = .number(Double(value))
        case let value as [Any]: self = .array(try value.map { try JSONValue($0, claim: claim) })
        case let value as [String: Any]: self = .object(try value.mapValues { try JSONValue($0, claim: claim) })
        default: throw Self.unsupported(claim)
        }
    }

    private static func unsupported(_ claim: String) -> TokenAuthSetupError {
        .invalidConfiguration("claim \(claim): unsupported value type")
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
