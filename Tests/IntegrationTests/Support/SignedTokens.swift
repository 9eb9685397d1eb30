import Foundation
import Testing

/// JWTs with any claims, signed by openssl (the integration tests link no JWT library): HS256
/// with a secret file as the service reads it, RS256 with a PEM private key.
enum SignedTokens {
    enum Signer {
        /// The service's rule: the file's bytes, one trailing newline ignored.
        case hs256(secretFile: String)
        case rs256(privateKeyFile: String)
    }

    /// `sub` user, valid for an hour, plus `claims` (e.g. `iss`, `aud`).
    static func token(user: String, claims: [String: Any] = [:], signer: Signer) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        var payload: [String: Any] = ["sub": user, "iat": now, "exp": now + 3600]
        payload.merge(claims) { $1 }
        let alg = if case .hs256 = signer { "HS256" } else { "RS256" }
        let header = try JSONSerialization.data(withJSONObject: ["alg": alg, "typ": "JWT"], options: .sortedKeys)
        let body = try JSONSerialization.data(withJSONObject: payload, options: .sortedKeys)
        let signingInput = base64URL(header) + "." + base64URL(body)
        return signingInput + "." + base64URL(try sign(Data(signingInput.utf8), signer))
    }

    /// A fresh RSA pair in `folder`: (private key file, public key file), PEM.
    static func makeRSAKeyPair(in folder: String) throws -> (privateKey: String, publicKey: String) {
        let privateKey = folder + "/rs256-private.pem", publicKey = folder + "/rs256-public.pem"
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", privateKey])
        try openssl(["pkey", "-in", privateKey, "-pubout", "-out", publicKey])
        return (privateKey, publicKey)
    }

    private static func sign(_ input: Data, _ signer: Signer) throws -> Data {
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("lc-jwt-\(UUID().uuidString)").path
        try input.write(to: URL(fileURLWithPath: inputFile))
        defer { try? FileManager.default.removeItem(atPath: inputFile) }
        switch signer {
        case .hs256(let secretFile):
            var secret = try Data(contentsOf: URL(fileURLWithPath: secretFile))
            if secret.last == UInt8(ascii: "\n") { secret.removeLast() }
            let hexKey = secret.map { String(format: "%02x", $0) }.joined()
            return try openssl(["dgst", "-sha256", "-binary", "-mac", "HMAC", "-macopt", "hexkey:" + hexKey, inputFile])
        case .rs256(let privateKeyFile):
            return try openssl(["dgst", "-sha256", "-binary", "-sign", privateKeyFile, inputFile])
        }
    }

    @discardableResult
    private static func openssl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw StackError.failed("openssl \(arguments.first ?? ""): \(String(decoding: message, as: UTF8.self))")
        }
        return data
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
