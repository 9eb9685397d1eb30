import Foundation
import JWTKit
import TokenAuth

/// Builds raw tokens for the case table: any header, any payload text, any signature, so that
/// malformed and hostile tokens are as easy to write as valid ones.
enum TestTokens {
    /// The clock every case is checked against.
    static let nowSeconds = 1_800_000_000
    static let now = Date(timeIntervalSince1970: TimeInterval(nowSeconds))

    static let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    static let otherSecret = Array("fedcba9876543210fedcba9876543210".utf8)

    static let rsaPrivateKey = try! Insecure.RSA.PrivateKey(pem: TestKeyFixtures.rsaPrivateKeyPEM)
    static let es256PrivateKey = ES256PrivateKey()
    static let eddsaPrivateKey = try! EdDSA.PrivateKey()

    enum Signing: Sendable {
        case hmac(secret: [UInt8], digest: DigestAlgorithm)
        case rs256, es256, eddsa
        /// An empty signature segment, as `alg: none` tokens have.
        case unsigned

        static let configuredSecret = Signing.hmac(secret: secret, digest: .sha256)
        /// HMAC zero-pads keys to the block size (RFC 2104), so the padded key gives the very MAC the
        /// 32-byte secret would; the padding only satisfies jwt-kit's key-length assertion.
        static let configuredSecretHS384 = Signing.hmac(secret: secret + [UInt8](repeating: 0, count: 16), digest: .sha384)
        static let configuredSecretHS512 = Signing.hmac(secret: secret + [UInt8](repeating: 0, count: 32), digest: .sha512)
    }

    static func header(alg: String, extra: String = "") -> String {
        #"{"alg":"\#(alg)","typ":"JWT"\#(extra.isEmpty ? "" : "," + extra)}"#
    }

    /// A JSON object from raw `"name":value` members.
    static func payload(_ members: String...) -> String { "{" + members.joined(separator: ",") + "}" }

    static func sub(_ value: String) -> String { #""sub":"\#(value)""# }
    static func exp(_ offset: Int) -> String { #""exp":\#(nowSeconds + offset)"# }
    static func nbf(_ offset: Int) -> String { #""nbf":\#(nowSeconds + offset)"# }
    static func iat(_ offset: Int) -> String { #""iat":\#(nowSeconds + offset)"# }
    /// `sub` user123, expiring in an hour, issued now, plus `extra` members.
    static func userPayload(_ extra: String...) -> String {
        "{" + ([sub("user123"), exp(3600), iat(0)] + extra).joined(separator: ",") + "}"
    }

    static func token(header: String, payload: String, signing: Signing) async throws -> String {
        let signingInput = base64URL(Array(header.utf8)) + "." + base64URL(Array(payload.utf8))
        let signature: [UInt8]
        if case .unsigned = signing {
            signature = []
        } else {
            signature = try await algorithm(for: signing).sign(Array(signingInput.utf8))
        }
        return signingInput + "." + base64URL(signature)
    }

    static func algorithm(for signing: Signing) async throws -> any JWTAlgorithm {
        let keys = JWTKeyCollection()
        switch signing {
        case .hmac(let secret, let digest): await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: digest)
        case .rs256: await keys.add(rsa: rsaPrivateKey, digestAlgorithm: .sha256)
        case .es256: await keys.add(ecdsa: es256PrivateKey)
        case .eddsa: await keys.add(eddsa: eddsaPrivateKey)
        case .unsigned: preconditionFailure("unsigned tokens need no algorithm")
        }
        return try await keys.getKey()
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// What a verification came to, without the log-only reason text.
enum Outcome: Equatable, CustomStringConvertible {
    case user(String)
    case admin(String)
    case missing
    case expired
    case invalid

    init(_ result: Result<Identity, AuthFailure>) {
        switch result {
        case .success(let identity): self = identity.isAdmin ? .admin(identity.userID) : .user(identity.userID)
        case .failure(.missingToken): self = .missing
        case .failure(.expiredToken): self = .expired
        case .failure(.invalidToken): self = .invalid
        }
    }

    var description: String {
        switch self {
        case .user(let id): "user \(id)"
        case .admin(let id): "admin \(id)"
        case .missing: "missingToken"
        case .expired: "expiredToken"
        case .invalid: "invalidToken"
        }
    }
}
