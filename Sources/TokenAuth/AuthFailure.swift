/// Why a request carries no usable identity. The HTTP layer maps these to 401 problem codes
/// (`missing_token`, `expired_token`, `invalid_token`).
package enum AuthFailure: Error, Sendable, Equatable {
    /// No `Authorization: Bearer …` header (the scheme is matched case-insensitively).
    case missingToken
    /// The token's `exp` plus the leeway lies in the past; everything else about it was valid.
    case expiredToken
    /// Every other refusal. `reason` is for the log only: never send it to the client.
    case invalidToken(reason: String)
}
