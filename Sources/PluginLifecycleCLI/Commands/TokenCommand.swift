import ArgumentParser
import Foundation
import LifecycleCore
import TokenAuth

/// Mints a development token with the configured HS256 secret.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Print a signed HS256 token for a user (development).")
    @Argument var user: String
    @Flag(help: "Add the admin claim (is_admin: true).") var admin = false
    @Option(help: "Lifetime in seconds.") var ttl: Int = 3600
    @OptionGroup var data: DataOptions
    @Option(help: "HS256 secret file (default: DATA_DIR/jwt-secret).") var jwtSecretFile: String?

    func run() throws {
        let secret = try SecretPolicy.readSecret(path: jwtSecretFile ?? data.directory.defaultSecretPath)
        let token = try TokenMinter.mint(userID: user, admin: admin, ttl: TimeInterval(ttl), secret: secret)
        print(token)
    }
}
