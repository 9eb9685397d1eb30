#if canImport(Glibc)
import Glibc
#endif
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
    private let entries = Locked<[SigningInput: TokenClaims]>([:])

    init(capacity: Int) { self.capacity = capacity }

    func claims(signedBy signingInput: ArraySlice<UInt8>) -> TokenClaims? {
        let key = SigningInput(signingInput)
        return entries.withLock { $0[key] }
    }

    func store(_ claims: TokenClaims, signedBy signingInput: ArraySlice<UInt8>) {
        let key = SigningInput(signingInput)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = claims
        }
    }

    var count: Int { entries.withLock { $0.count } }
}

/// The key's bytes, hashed as one block (an array of bytes is hashed one element at a time,
/// which was 4 % of a status request).
private struct SigningInput: Hashable {
    let bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (a: SigningInput, b: SigningInput) -> Bool {
        a.bytes.count == b.bytes.count && a.bytes.withUnsafeBytes { left in
            b.bytes.withUnsafeBytes { right in left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }
        }
    }
}
