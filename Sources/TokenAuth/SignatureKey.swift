import Dispatch
import JWTKit

/// The one jwt-kit algorithm a verifier or minter uses, with the `alg` name tokens must carry.
///
/// jwt-kit 5 builds its signers (`HMACSigner`, `RSASigner`, …) only inside the
/// `JWTKeyCollection` actor, so they are fetched once here with `getKey()`; afterwards
/// `JWTAlgorithm.verify(_:signs:)` and `sign(_:)` are synchronous and need no actor.
/// The collection holds exactly one key and is dropped after loading: a token's `kid` can never
/// select another key (jwt-kit's "first key is the default" trap does not arise).
struct SignatureKey: Sendable {
    let algorithm: any JWTAlgorithm
    /// The JOSE `alg` value this key accepts: HS256, RS256, ES256 or EdDSA.
    let algorithmName: String

    static func load(_ key: TokenVerifierConfiguration.Key) throws -> SignatureKey {
        switch key {
        case .hmacSecret(let secret):
            return try hmacSHA256(secret: secret)
        case .publicKeyPEM(let pem):
            return try publicKey(pem: pem)
        }
    }

    static func hmacSHA256(secret: [UInt8]) throws -> SignatureKey {
        guard !secret.isEmpty else { throw TokenAuthSetupError.emptySecret }
        // jwt-kit asserts (in debug builds) that an HMAC key is at least as long as the digest.
        // HMAC zero-pads short keys to the block size anyway (RFC 2104 §2), so padding to 32
        // bytes yields identical MACs and lets a deliberately allowed short dev secret work.
        let key = secret.count >= 32 ? secret : secret + [UInt8](repeating: 0, count: 32 - secret.count)
        return try load(name: "HS256") { keys in
            await keys.add(hmac: HMACKey(from: key), digestAlgorithm: .sha256)
        }
    }

    static func publicKey(pem: String) throws -> SignatureKey {
        if let rsa = try? Insecure.RSA.PublicKey(pem: pem) {
            return try load(name: "RS256") { keys in await keys.add(rsa: rsa, digestAlgorithm: .sha256) }
        }
        if let p256 = try? ES256PublicKey(pem: pem) {
            return try load(name: "ES256") { keys in await keys.add(ecdsa: p256) }
        }
        if let ed25519 = try? EdDSA.PublicKey(pem: pem) {
            return try load(name: "EdDSA") { keys in await keys.add(eddsa: ed25519) }
        }
        throw TokenAuthSetupError.unsupportedPublicKey
    }

    private static func load(
        name: String, adding addKey: @escaping @Sendable (JWTKeyCollection) async -> Void
    ) throws -> SignatureKey {
        let algorithm = try runBlocking {
            let keys = JWTKeyCollection()
            await addKey(keys)
            return try await keys.getKey()
        }
        guard algorithm.name == name else {
            throw TokenAuthSetupError.keyLoadingFailed("jwt-kit named the algorithm \(algorithm.name), expected \(name)")
        }
        return SignatureKey(algorithm: algorithm, algorithmName: name)
    }
}

/// Runs a short async operation to completion from synchronous code, once per key load.
///
/// The task prefers a private serial queue as its executor, and the (default) actor it calls
/// runs there too, so blocking the caller cannot starve Swift's cooperative pool: it is safe
/// from libfcgi threads, `main`, and from async code already on the pool (parallel tests).
private func runBlocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = OutcomeBox<T>()
    let finished = DispatchSemaphore(value: 0)
    let body: @Sendable () async -> Void = {
        do { outcome.value = .success(try await operation()) } catch { outcome.value = .failure(error) }
        finished.signal()
    }
    if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *) {
        Task(executorPreference: KeyLoadingExecutor.shared, operation: body)
    } else {
        Task.detached(operation: body)
    }
    finished.wait()
    return try outcome.value!.get()
}

/// Written by the task before it signals the semaphore, read by the waiter after: the
/// semaphore orders the two accesses.
private final class OutcomeBox<T>: @unchecked Sendable {
    var value: Result<T, any Error>?
}

@available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *)
private final class KeyLoadingExecutor: TaskExecutor {
    static let shared = KeyLoadingExecutor()
    private let queue = DispatchQueue(label: "TokenAuth.key-loading")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
