import ArgumentParser
import Foundation
import LifecycleCore
import LifecycleStore
import Logging
import PluginAPI
import Telemetry
import TokenAuth

/// Where the data lives; shared by every command.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (database, plugins, catalog, secret). Env: PLUGIN_LIFECYCLE_DATA_DIR.")
    var dataDir: String = ProcessInfo.processInfo.environment["PLUGIN_LIFECYCLE_DATA_DIR"] ?? "var"

    @Option(name: .long, help: "Catalog folder (default: DATA_DIR/catalog).")
    var catalog: String?

    // No default shown in --help: the URL may hold a password, and is read from the environment here.
    @Option(name: .long, help: "PostgreSQL URL of the store instead of DATA_DIR's SQLite file. Env: \(StoreLocation.environmentVariable) (workers read it from there).")
    var databaseURL: String?

    /// Where the store lives: --database-url, else the environment's URL, else DATA_DIR's SQLite file.
    var location: StoreLocation {
        StoreLocation(databaseURL: databaseURL ?? ProcessInfo.processInfo.environment[StoreLocation.environmentVariable],
                      sqlitePath: directory.databasePath)
    }

    func openService(logger: Logger, leases: LeaseSettings = .process) throws -> LifecycleService {
        try LifecycleService(dataDirectory: dataDir, catalogRoot: catalog, logger: logger, observer: nil, leases: leases,
                             location: location)
    }

    /// Hands --database-url to the workers through their environment, never their argv (ps shows argv).
    func passDatabaseURL(to environment: inout [String: String]) {
        if let databaseURL { environment[StoreLocation.environmentVariable] = databaseURL }
    }

    var directory: DataDirectory { DataDirectory(root: dataDir) }
}

/// How callers are checked (tokens, signed bundle URLs); shared by `serve` and `worker` (the master passes them on).
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

    @Option(name: .long, help: "Key file for signed bundle URLs, 32 bytes or more and not the JWT secret (default: DATA_DIR/bundle-secret, which `init` makes, and `serve` when it is missing).")
    var bundleSecretFile: String?

    @Option(name: .customLong("bundle-url-ttl"), help: "Seconds a signed bundle URL stays valid after the window it was made in (5 minutes, or the ttl when shorter; 10...86400).")
    var bundleURLTTL: Int = 900

    func validate() throws {
        guard (10...86_400).contains(bundleURLTTL) else { throw ValidationError("--bundle-url-ttl wants 10 to 86400 seconds") }
    }

    func bundleSecretPath(dataDirectory: DataDirectory) -> String {
        bundleSecretFile ?? SecretPolicy.bundleSecretPath(dataDirectory: dataDirectory.root)
    }

    /// Reads and vets both keys; throws the refusal an operator reads at start-up.
    func callerChecks(dataDirectory: DataDirectory) throws -> CallerChecks {
        let key: TokenVerifierConfiguration.Key
        var jwtSecret: [UInt8]?
        if let path = jwtPublicKeyFile {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the public key file \(path)")
            }
            key = .publicKeyPEM(pem)
        } else {
            let secret = try SecretPolicy.readSecret(path: jwtSecretFile ?? dataDirectory.defaultSecretPath)
            try SecretPolicy.validate(secret, allowInsecure: insecureDevSecret)
            key = .hmacSecret(secret)
            jwtSecret = secret
        }
        let verifier = try TokenVerifier(configuration: .init(key: key, leeway: jwtLeeway, issuer: jwtIssuer, audience: jwtAudience))
        let bundleSecret = try SecretPolicy.readSecret(path: bundleSecretPath(dataDirectory: dataDirectory))
        try SecretPolicy.validateBundleSecret(bundleSecret, jwtSecret: jwtSecret)
        return CallerChecks(verifier: verifier, bundleLinks: BundleLinks(signer: BundleSigner(secret: bundleSecret), ttl: bundleURLTTL))
    }

    /// The same options, as arguments for a worker process (secrets by path, never by value).
    var arguments: [String] {
        var args: [String] = []
        if let jwtSecretFile { args += ["--jwt-secret-file", jwtSecretFile] }
        if let jwtPublicKeyFile { args += ["--jwt-public-key-file", jwtPublicKeyFile] }
        if let jwtIssuer { args += ["--jwt-issuer", jwtIssuer] }
        if let jwtAudience { args += ["--jwt-audience", jwtAudience] }
        args += ["--jwt-leeway", String(jwtLeeway)]
        if insecureDevSecret { args.append("--insecure-dev-secret") }
        if let bundleSecretFile { args += ["--bundle-secret-file", bundleSecretFile] }
        args += ["--bundle-url-ttl", String(bundleURLTTL)]
        return args
    }
}

/// What a worker checks callers with: tokens, and signed bundle URLs (with the lifetime of the
/// ones it hands out).
struct CallerChecks {
    let verifier: TokenVerifier
    let bundleLinks: BundleLinks
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
