import Foundation
import LifecycleCore
import PluginAPI
import TokenAuth

/// The hot path's pieces, each built with a reference answer checked first: a benchmark that
/// measured a 401 or an error would be timing the wrong thing.
enum HotPathSuite {
    static func all(_ fixture: Fixture) throws -> [Benchmark] {
        guard let slug = fixture.installedSlugs.sorted().first else { throw HarnessError("nothing was installed") }
        return [
            try tokenVerify(fixture),
            try tokenReject(fixture),
        ] + (try AsymmetricTokens.all.map(tokenVerifyAsymmetric)) + [
            try routeMatch(fixture, slug: slug),
            try statusQuery(fixture, slug: slug),
            try installedQuery(fixture),
            try availableList(fixture),
            try encodeStatus(fixture, slug: slug),
            try apiStatus(fixture, slug: slug),
            try apiAvailable(fixture),
            try apiInstalled(fixture),
        ]
    }

    // MARK: - Token

    static func tokenVerify(_ fixture: Fixture) throws -> Benchmark {
        let header = "Bearer " + fixture.goodToken
        let reference = fixture.verifier.verify(authorizationHeader: header)
        guard case .success(let identity) = reference, identity.userID == fixture.user.value else {
            throw HarnessError("token.verify: the valid token gave \(reference)")
        }
        return Benchmark("token.verify", expected: Fingerprint.of(reference)) {
            Fingerprint.of(fixture.verifier.verify(authorizationHeader: header))
        }
    }

    /// A valid token signed with a private key (RS256, ES256, EdDSA), checked against its public key.
    static func tokenVerifyAsymmetric(_ signed: AsymmetricTokens.Signed) throws -> Benchmark {
        let name = "token.verify." + signed.alg.lowercased()
        let verifier = try TokenVerifier(configuration: .init(key: .publicKeyPEM(signed.publicKeyPEM)))
        let header = "Bearer " + signed.token
        let reference = verifier.verify(authorizationHeader: header)
        guard case .success(let identity) = reference, identity.userID == AsymmetricTokens.userID else {
            throw HarnessError("\(name): the valid token gave \(reference)")
        }
        return Benchmark(name, expected: Fingerprint.of(reference)) {
            Fingerprint.of(verifier.verify(authorizationHeader: header))
        }
    }

    /// The same claims as token.verify's token, signed with another secret.
    static func tokenReject(_ fixture: Fixture) throws -> Benchmark {
        let header = "Bearer " + fixture.badSignatureToken
        let reference = fixture.verifier.verify(authorizationHeader: header)
        guard case .failure(.invalidToken) = reference else {
            throw HarnessError("token.reject: the badly signed token gave \(reference)")
        }
        return Benchmark("token.reject", expected: Fingerprint.of(reference)) {
            Fingerprint.of(fixture.verifier.verify(authorizationHeader: header))
        }
    }

    // MARK: - Routing

    /// The router is internal to PluginAPI: through `handle`, the paths that stop at routing (404,
    /// 405, before any token or database work) time it plus the problem document's encoding.
    static func routeMatch(_ fixture: Fixture, slug: String) throws -> Benchmark {
        let cases: [(method: String, path: String, status: Int)] = [
            ("GET", "/api/not-a-route", 404),
            ("GET", "/api/plugins/no-such-route", 404),
            ("GET", "/api/plugins/\(slug)/no-such-action", 404),
            ("POST", "/api/plugins/available", 405),
            ("POST", "/api/plugins/\(slug)/status", 405),
            ("GET", "/api/plugins/\(slug)/install", 405),
            ("PUT", "/api/plugins/shared/offer-1/accept", 405),
        ]
        let requests = cases.map { request($0.method, $0.path) }
        var expected = 0
        for (request, want) in zip(requests, cases) {
            let response = fixture.api.handle(request)
            guard response.status == want.status else {
                throw HarnessError("route.match: \(want.method) \(want.path) answered \(response.status), want \(want.status)")
            }
            expected &+= Fingerprint.of(response)
        }
        return Benchmark("route.match", batch: requests.count, expected: expected) {
            requests.reduce(0) { $0 &+ Fingerprint.of(fixture.api.handle($1)) }
        }
    }

    // MARK: - Service queries

    static func statusQuery(_ fixture: Fixture, slug raw: String) throws -> Benchmark {
        let slug = try LifecycleService.slug(raw)
        let reference = try fixture.service.status(user: fixture.user, slug: slug, verify: .sizes)
        guard reference.status == .healthy, reference.filesExist, reference.modulesStatus.allLoaded else {
            throw HarnessError("status.query: \(raw) is \(reference.status.rawValue), want healthy")
        }
        return Benchmark("status.query", expected: Fingerprint.of(reference)) {
            (try? fixture.service.status(user: fixture.user, slug: slug, verify: .sizes)).map(Fingerprint.of) ?? -1
        }
    }

    static func installedQuery(_ fixture: Fixture) throws -> Benchmark {
        let reference = try fixture.service.installed(user: fixture.user)
        let slugs = Set(reference.installedPlugins.map(\.pluginSlug))
        guard slugs == fixture.installedSlugs, reference.installedPlugins.allSatisfy({ $0.status == .healthy }) else {
            throw HarnessError("installed.query: \(reference.installedPlugins.map { "\($0.pluginSlug) \($0.status.rawValue)" }), want \(fixture.installedSlugs.sorted()) healthy")
        }
        return Benchmark("installed.query", expected: Fingerprint.of(reference)) {
            (try? fixture.service.installed(user: fixture.user)).map(Fingerprint.of) ?? -1
        }
    }

    static func availableList(_ fixture: Fixture) throws -> Benchmark {
        let reference = try fixture.service.available(for: fixture.user)
        let installed = Set(reference.availablePlugins.values.filter { $0.installed == true }.map(\.slug))
        guard reference.totalCount == fixture.catalogCount, installed == fixture.installedSlugs else {
            throw HarnessError("available.list: \(reference.totalCount) plugins, installed \(installed.sorted()); want \(fixture.catalogCount), \(fixture.installedSlugs.sorted())")
        }
        return Benchmark("available.list", expected: Fingerprint.of(reference)) {
            (try? fixture.service.available(for: fixture.user)).map(Fingerprint.of) ?? -1
        }
    }

    // MARK: - Encoding

    /// The status body exactly as the API writes it (envelope included), checked by decoding it back.
    static func encodeStatus(_ fixture: Fixture, slug raw: String) throws -> Benchmark {
        let report = try fixture.service.status(user: fixture.user, slug: try LifecycleService.slug(raw), verify: .sizes)
        struct Envelope: Decodable { let status: String; let data: StatusReport }
        let body = SuccessBody.status(report)
        // The copy's bundle entry is not JSON of its own (the API writes a signed link from it).
        var expected = report
        expected.bundle = nil
        guard let decoded = try? JSONDecoder().decode(Envelope.self, from: Data(body)),
              decoded.status == "success", decoded.data == expected else {
            throw HarnessError("encode.status: the body does not decode to the same report")
        }
        return Benchmark("encode.status", expected: body.count) { SuccessBody.status(report).count }
    }

    // MARK: - The whole in-process request

    static func apiStatus(_ fixture: Fixture, slug: String) throws -> Benchmark {
        try api(fixture, "api.status", path: "/api/plugins/\(slug)/status") { data in
            data["status"] as? String == StatusReport.Health.healthy.rawValue
        }
    }

    static func apiAvailable(_ fixture: Fixture) throws -> Benchmark {
        try api(fixture, "api.available", path: "/api/plugins/available") { data in
            data["total_count"] as? Int == fixture.catalogCount
        }
    }

    static func apiInstalled(_ fixture: Fixture) throws -> Benchmark {
        try api(fixture, "api.installed", path: "/api/plugins/installed") { data in
            data["total_count"] as? Int == fixture.installedSlugs.count
        }
    }

    /// GET `path` as the fixture's user: the reference must be a 200 success whose `data` passes `check`.
    private static func api(_ fixture: Fixture, _ name: String, path: String,
                            check: ([String: Any]) -> Bool) throws -> Benchmark {
        let request = request("GET", path, authorization: "Bearer " + fixture.goodToken)
        let reference = fixture.api.handle(request)
        let body = reference.jsonObject
        guard reference.status == 200, body?["status"] as? String == "success",
              let data = body?["data"] as? [String: Any], check(data) else {
            throw HarnessError("\(name): GET \(path) answered \(reference.status) \(String(decoding: reference.body.prefix(300), as: UTF8.self))")
        }
        return Benchmark(name, expected: Fingerprint.of(reference)) { Fingerprint.of(fixture.api.handle(request)) }
    }

    /// A fixed request id, as nginx always sends one: generating one is not the API's hot path.
    private static func request(_ method: String, _ path: String, authorization: String? = nil) -> HTTPRequest {
        HTTPRequest(method: method, path: path, authorization: authorization, requestID: "microbench")
    }
}
