import JWTKit

/// The claims TokenAuth reads, decoded strictly: a claim that is present with the wrong JSON
/// type (`"exp": "…"`, `"is_admin": "true"`, `"roles": "admin"`) fails decoding, and the token
/// is refused. Unknown claims are ignored.
struct TokenClaims: JWTPayload, Equatable {
    var sub: String?
    var exp: Double?
    var nbf: Double?
    var iat: Double?
    var iss: String?
    var aud: Audience?
    var isAdmin: Bool?
    var roles: [String]?
    var refresh: Bool?
    var type: String?
    var tokenType: String?

    enum CodingKeys: String, CodingKey {
        case sub, exp, nbf, iat, iss, aud, roles, refresh, type
        case isAdmin = "is_admin"
        case tokenType = "token_type"
    }

    /// `aud`: one string or an array of strings (RFC 7519 §4.1.3).
    enum Audience: Codable, Equatable {
        case one(String)
        case many([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(String.self) {
                self = .one(value)
            } else {
                self = .many(try container.decode([String].self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .one(let value): try container.encode(value)
            case .many(let values): try container.encode(values)
            }
        }

        func contains(_ audience: String) -> Bool {
            switch self {
            case .one(let value): value == audience
            case .many(let values): values.contains(audience)
            }
        }
    }

    /// Required by `JWTPayload`, never called: ``TokenVerifier`` checks claims itself,
    /// synchronously and with leeway (jwt-kit's claim checks are async and have none).
    func verify(using algorithm: some JWTAlgorithm) throws {}

    /// `type`/`token_type` compared without case: "Refresh" from another issuer is still a refresh token.
    var isRefreshToken: Bool {
        refresh == true || type?.lowercased() == "refresh" || tokenType?.lowercased() == "refresh"
    }

    var grantsAdmin: Bool {
        isAdmin == true || roles?.contains("admin") == true
    }
}
