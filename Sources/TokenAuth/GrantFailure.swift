/// Why a bundle grant was refused. The HTTP layer maps these to 403 problem codes
/// (`invalid_signature`, `expired_signature`).
package enum GrantFailure: Error, Sendable, Equatable {
    /// Malformed, altered, signed with another key, or not covering the requested path.
    /// `reason` is for the log only: never send it to the client.
    case invalid(reason: String)
    /// A genuine grant (its MAC verified) whose expiry has passed.
    case expired
}
