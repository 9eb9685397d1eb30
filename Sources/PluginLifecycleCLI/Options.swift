import ArgumentParser
import Foundation
import LifecycleCore
import Logging
import Telemetry
import TokenAuth

/// Where the data lives; shared by every command.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (database, plugins, catalog, secret). Env: PLUGIN_LIFECYCLE_DATA_DIR.")
    var dataDir: String = ProcessInfo.processInfo.environment["PLUGIN_LIFECYCLE_DATA_DIR"] ?? "var"

    @Option(name: .long, help: "Catalog folder (default: DATA_DIR/catalog).")
    var catalog: String?

    func openService(logger: Logger) throws -> LifecycleService {
        try LifecycleService(dataDirectory: dataDir, catalogRoot: catalog, logger: logger)
    }

    var directory: DataDirectory { DataDirectory(root: dataDir) }
}

/// How tokens are checked; shared by `serve` and `worker` (the master passes them on).
struct AuthOptions: ParsableArguments {
    @Option(name: .long, help: "HS256 secret file (default: DATA_DIR/jwt-secret). One trailing newline is ignored.")
    var jwtSecretFile: String?

    @Option(name: .long, help: "PEM public key (RS256, ES256 or EdDSA) to verify tokens with, instead of the HS256 secret.")
    var jwtPublicKeyFile: String?

    @Option(name: .long, help: "Required `iss` claim.")
    var jwtIssuer: String?

    @Option(name: .long, help: "Required `aud` claim.")
    var jwtAudience: String?

    @Option(name: .long, help: "Clock leeway in seconds for exp, nbf and iat.")
    var jwtLeeway: Int = 60

    @Flag(name: .long, help: "Accept an empty, short or well-known HS256 secret (development only).")
    var insecureDevSecret = false

    func verifier(dataDirectory: DataDirectory) throws -> TokenVerifier {
        let key: TokenVerifierConfiguration.Key
        if let path = jwtPublicKeyFile {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the public key file \(path)")
            }
            key = .publicKeyPEM(pem)
        } else {
            let secret = try SecretPolicy.readSecret(path: jwtSecretFile ?? dataDirectory.defaultSecretPath)
            try SecretPolicy.validate(secret, allowInsecure: insecureDevSecret)
            key = .hmacSecret(secret)
        }
        return try TokenVerifier(configuration: .init(key: key, leeway: jwtLeeway, issuer: jwtIssuer, audience: jwtAudience))
    }

    /// The same options, as arguments for a worker process.
    var arguments: [String] {
        var args: [String] = []
        if let jwtSecretFile { args += ["--jwt-secret-file", jwtSecretFile] }
        if let jwtPublicKeyFile { args += ["--jwt-public-key-file", jwtPublicKeyFile] }
        if let jwtIssuer { args += ["--jwt-issuer", jwtIssuer] }
        if let jwtAudience { args += ["--jwt-audience", jwtAudience] }
        args += ["--jwt-leeway", String(jwtLeeway)]
        if insecureDevSecret { args.append("--insecure-dev-secret") }
        return args
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (the API's data shape) instead of text.")
    var json = false
}

/// Logs on stderr, one JSON object per line, each written with one write(2) (see ``JSONLogHandler``).
func makeLogger(_ label: String = "plugin-lifecycle", level: Logger.Level = .info) -> Logger {
    var logger = Logger(label: label) { JSONLogHandler(label: $0) }
    logger.logLevel = level
    return logger
}
