import Posix

/// Decoded claims of tokens whose signature verified, keyed by their exact signing input
/// (`header.payload` bytes). Decoding header and claims with Foundation's JSON decoder was two
/// thirds of a verification (callgrind) and depends only on those bytes, so a signed-in user's
/// next request reuses it. Nothing else is skipped: every request still has its signature
/// verified over these bytes and its claims (expiry, not-before, issuer, audience, refresh, subject)
/// checked against the clock; a token whose bytes differ in any way is decoded afresh.
///
/// Bounded (dropped whole when full) and filled only after a signature verified, so tokens
/// nobody signed cannot crowd it.
final class ParsedTokenCache: Sendable {
    private let capacity: Int
    private let entries = Locked<[[UInt8]: TokenClaims]>([:])

    init(capacity: Int) { self.capacity = capacity }

    func claims(signedBy signingInput: ArraySlice<UInt8>) -> TokenClaims? {
        let key = Array(signingInput)
        return entries.withLock { $0[key] }
    }

    func store(_ claims: TokenClaims, signedBy signingInput: ArraySlice<UInt8>) {
        let key = Array(signingInput)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = claims
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
