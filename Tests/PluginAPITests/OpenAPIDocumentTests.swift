import Foundation
@testable import PluginAPI
import Testing

/// The OpenAPI document (`Sources/PluginAPI/OpenAPI/openapi.json`) against the contract
/// (`docs/api.md`): its routes table, its error table and its headers. `deploy/checks/openapi-check`
/// validates the file against the OpenAPI 3.1 schema; these tests check that it says what the
/// contract says, that the server serves the file byte for byte, and that it agrees with the router.
@Suite(.timeLimit(.minutes(10))) struct OpenAPIDocumentTests {
    /// `API.md`, "Routes": method and path, with `…/enable`, `…/disable` written out.
    static let contractRoutes: [(method: String, path: String, auth: String)] = [
        ("get", "/api/plugins/available", "public"),
        ("get", "/api/plugins/{slug}/info", "public"),
        ("get", "/api/plugins/{slug}/versions", "public"),
        ("post", "/api/plugins/{slug}/install", "user"),
        ("delete", "/api/plugins/{slug}/uninstall", "user"),
        ("get", "/api/plugins/{slug}/status", "user"),
        ("get", "/api/plugins/{slug}/files/{path}", "user"),
        ("get", "/api/plugins/{slug}/bundles/{grant}/{path}", "signed"),
        ("post", "/api/plugins/{slug}/repair", "user"),
        ("put", "/api/plugins/{slug}/update", "user"),
        ("post", "/api/plugins/{slug}/enable", "user"),
        ("post", "/api/plugins/{slug}/disable", "user"),
        ("post", "/api/plugins/{slug}/modules/{module}/enable", "user"),
        ("post", "/api/plugins/{slug}/modules/{module}/disable", "user"),
        ("get", "/api/plugins/installed", "user"),
        ("get", "/api/plugins/updates", "user"),
        ("post", "/api/plugins/{slug}/share", "user"),
        ("get", "/api/plugins/shared", "user"),
        ("post", "/api/plugins/shared/{share_id}/accept", "user"),
        ("delete", "/api/plugins/shared/{share_id}", "user"),
        ("post", "/api/plugins/{slug}/bulk-install", "admin"),
        ("post", "/api/plugins/{slug}/bulk-uninstall", "admin"),
        ("delete", "/api/plugins/users/{user_id}", "admin"),
        ("get", "/api/plugins/audit", "user"),
        ("get", "/api/plugins/health", "public"),
        // Not in the table: this document. (`metrics` joins when it is served.)
        ("get", "/api/plugins/openapi.json", "public"),
    ]

    /// `API.md`, "Responses": every `code` of the error table, with its status.
    static let contractCodes: [(status: Int, code: String)] = [
        (400, "bad_request"), (400, "invalid_slug"), (400, "invalid_version"), (400, "invalid_path"),
        (401, "missing_token"), (401, "invalid_token"), (401, "expired_token"),
        (403, "forbidden"), (403, "plugin_disabled"), (403, "invalid_signature"), (403, "expired_signature"),
        (404, "plugin_not_found"), (404, "version_not_found"), (404, "not_installed"), (404, "share_not_found"),
        (404, "not_found"), (404, "file_not_found"),
        (405, "method_not_allowed"),
        (409, "already_installed"), (409, "operation_in_progress"), (409, "dependency_in_use"), (409, "file_damaged"),
        (413, "payload_too_large"), (415, "unsupported_media_type"),
        (422, "dependency_unsatisfied"), (422, "invalid_package"),
        (429, "rate_limited"),
        (500, "internal"),
        (503, "unavailable"), (503, "storage_unavailable"),
        (507, "insufficient_storage"),
    ]

    static let httpMethods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    let document: [String: Any]

    init() throws {
        let object = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes))
        document = try #require(object as? [String: Any])
    }

    var paths: [String: [String: Any]] { (document["paths"] as? [String: [String: Any]]) ?? [:] }
    var components: [String: Any] { (document["components"] as? [String: Any]) ?? [:] }

    func operation(_ method: String, _ path: String) -> [String: Any]? { paths[path]?[method] as? [String: Any] }

    /// Follows a local `$ref` (`#/components/...`) once; anything else is returned as is.
    func resolved(_ node: [String: Any]) -> [String: Any] {
        guard let ref = node["$ref"] as? String, ref.hasPrefix("#/") else { return node }
        var current: Any = document
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = (current as? [String: Any])?[String(part)] else { return [:] }
            current = next
        }
        return (current as? [String: Any]) ?? [:]
    }

    func responses(_ method: String, _ path: String) -> [String: [String: Any]] {
        let raw = (operation(method, path)?["responses"] as? [String: [String: Any]]) ?? [:]
        return raw.mapValues(resolved)
    }

    func headerNames(_ response: [String: Any]) -> Set<String> {
        Set(((response["headers"] as? [String: Any]) ?? [:]).keys)
    }

    @Test func isOpenAPI31() {
        #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
        #expect((document["info"] as? [String: Any])?["title"] is String)
    }

    @Test func everyContractRouteIsThereWithItsMethod() {
        for route in Self.contractRoutes {
            #expect(paths[route.path] != nil, "missing path \(route.path)")
            #expect(operation(route.method, route.path) != nil, "missing \(route.method.uppercased()) \(route.path)")
        }
    }

    @Test func noOperationBeyondTheContract() {
        let documented = Set(paths.flatMap { path, item in
            item.keys.filter(Self.httpMethods.contains).map { "\($0) \(path)" }
        })
        let contract = Set(Self.contractRoutes.map { "\($0.method) \($0.path)" })
        #expect(documented == contract)
    }

    @Test func everyProblemCodeIsInTheProblemSchema() throws {
        let schemas = try #require(components["schemas"] as? [String: Any])
        let problem = try #require(schemas["Problem"] as? [String: Any])
        let properties = try #require(problem["properties"] as? [String: Any])
        let code = try #require(properties["code"] as? [String: Any])
        let codes = try #require(code["enum"] as? [String])
        for entry in Self.contractCodes {
            #expect(codes.contains(entry.code), "Problem.code lacks \(entry.code)")
        }
        #expect(Set(codes) == Set(Self.contractCodes.map(\.code)), "Problem.code has codes API.md does not name")
        let required = Set((problem["required"] as? [String]) ?? [])
        #expect(required.isSuperset(of: ["type", "title", "status", "code", "detail", "instance", "request_id"]))
    }

    /// An operation's error response narrows `code` to a subset: each must fit the error table's status.
    @Test func errorResponsesUseTheCodesOfTheirStatus() {
        let statusOf = Dictionary(uniqueKeysWithValues: Self.contractCodes.map { ($0.code, $0.status) })
        for route in Self.contractRoutes {
            for (status, response) in responses(route.method, route.path) {
                guard let number = Int(status), number >= 400 else { continue }
                let content = (response["content"] as? [String: Any])?["application/problem+json"] as? [String: Any]
                #expect(content != nil, "\(route.path) \(status) is not application/problem+json")
                let allOf = ((content?["schema"] as? [String: Any])?["allOf"] as? [[String: Any]]) ?? []
                let narrowed = allOf.compactMap { ($0["properties"] as? [String: Any])?["code"] as? [String: Any] }
                for code in narrowed.flatMap({ ($0["enum"] as? [String]) ?? [] }) {
                    // nginx's 502/504 reuse `unavailable` (no worker); otherwise the table's status.
                    let expected = number == 502 || number == 504 ? 503 : number
                    #expect(statusOf[code] == expected, "\(route.path) \(status) lists \(code)")
                }
            }
        }
    }

    @Test func everyResponseCarriesXRequestId() {
        for route in Self.contractRoutes {
            let all = responses(route.method, route.path)
            #expect(!all.isEmpty)
            for (status, response) in all {
                #expect(headerNames(response).contains("X-Request-Id"), "\(route.method) \(route.path) \(status)")
            }
        }
    }

    @Test func conditionalGetsCarryETagAnd304() {
        let cacheable = ["/api/plugins/available", "/api/plugins/{slug}/info", "/api/plugins/{slug}/versions",
                         "/api/plugins/{slug}/status", "/api/plugins/{slug}/files/{path}",
                         "/api/plugins/{slug}/bundles/{grant}/{path}"]
        for path in cacheable {
            let all = responses("get", path)
            #expect(headerNames(all["200"] ?? [:]).contains("ETag"), "\(path) 200 has no ETag")
            #expect(all["304"] != nil, "\(path) has no 304")
            let parameters = ((operation("get", path)?["parameters"] as? [[String: Any]]) ?? []).map(resolved)
            #expect(parameters.contains { $0["name"] as? String == "If-None-Match" && $0["in"] as? String == "header" })
        }
    }

    @Test func errorHeaders() {
        for route in Self.contractRoutes {
            let all = responses(route.method, route.path)
            if let unauthorized = all["401"] { #expect(headerNames(unauthorized).contains("WWW-Authenticate")) }
            if let notAllowed = all["405"] { #expect(headerNames(notAllowed).contains("Allow")) }
            if let limited = all["429"] { #expect(headerNames(limited).contains("Retry-After")) }
            if let unavailable = all["503"] { #expect(headerNames(unavailable).contains("Retry-After")) }
            #expect(all["401"] != nil, "\(route.path): a bad token gets 401 on every route, public ones too")
        }
    }

    @Test func securityMarksPublicUserAndAdminRoutes() throws {
        let schemes = try #require((components["securitySchemes"] as? [String: Any])?["bearerAuth"] as? [String: Any])
        #expect(schemes["type"] as? String == "http")
        #expect(schemes["scheme"] as? String == "bearer")
        #expect(schemes["bearerFormat"] as? String == "JWT")
        let global = document["security"] as? [[String: Any]]
        #expect(global?.count == 1 && global?.first?["bearerAuth"] != nil)

        for route in Self.contractRoutes {
            let op = try #require(operation(route.method, route.path))
            #expect(op["x-auth"] as? String == route.auth, "\(route.path)")
            let security = op["security"] as? [[String: Any]]
            // A signed route's grant stands in for a token, and a token may still be sent.
            if route.auth == "public" || route.auth == "signed" {
                #expect(security?.count == 2, "\(route.path) should allow no token or a bearer token")
                #expect(security?.contains { $0.isEmpty } == true)
                #expect(security?.contains { $0["bearerAuth"] != nil } == true)
            } else {
                #expect(security == nil, "\(route.path) inherits the global bearerAuth")
            }
            if route.auth == "admin" { #expect(responses(route.method, route.path)["403"] != nil) }
        }
    }

    @Test func queryParametersAndBodies() {
        func parameterNames(_ method: String, _ path: String) -> Set<String> {
            let own = (operation(method, path)?["parameters"] as? [[String: Any]]) ?? []
            let shared = (paths[path]?["parameters"] as? [[String: Any]]) ?? []
            return Set((own + shared).map(resolved).compactMap { $0["name"] as? String })
        }
        #expect(parameterNames("get", "/api/plugins/{slug}/status").isSuperset(of: ["slug", "verify"]))
        #expect(parameterNames("delete", "/api/plugins/{slug}/uninstall").isSuperset(of: ["slug", "cascade"]))
        #expect(parameterNames("get", "/api/plugins/audit").isSuperset(of: ["limit", "cursor", "user_id"]))
        #expect(parameterNames("post", "/api/plugins/{slug}/modules/{module}/enable") == ["slug", "module"])
        #expect(parameterNames("post", "/api/plugins/shared/{share_id}/accept") == ["share_id"])
        #expect(parameterNames("delete", "/api/plugins/users/{user_id}") == ["user_id"])

        for (method, path) in [("post", "/api/plugins/{slug}/install"), ("put", "/api/plugins/{slug}/update"),
                               ("post", "/api/plugins/{slug}/share"), ("post", "/api/plugins/{slug}/bulk-install"),
                               ("post", "/api/plugins/{slug}/bulk-uninstall")] {
            let body = (operation(method, path)?["requestBody"] as? [String: Any]).map(resolved)
            let content = (body?["content"] as? [String: Any])?["application/json"] as? [String: Any]
            #expect(content?["schema"] != nil, "\(method) \(path) has no JSON body")
        }
    }

    /// The slug pattern admits every spelling the service canonicalises, and nothing with `.`, `/` or `%`.
    @Test func slugParameterPattern() throws {
        let slug = try #require((components["parameters"] as? [String: Any])?["Slug"] as? [String: Any])
        let pattern = try #require((slug["schema"] as? [String: Any])?["pattern"] as? String)
        let regex = try Regex(pattern)
        for good in ["braindrive-network", "BrainDrive_Network", "braindrive_network", "a", "x1"] {
            #expect(good.wholeMatch(of: regex) != nil, "\(good)")
        }
        for bad in ["..", "%2e%2e", "a/b", "", "-a", "a.b"] {
            #expect(bad.wholeMatch(of: regex) == nil, "\(bad)")
        }
    }

    /// The document's operations are the route table's documented endpoints, with the same access level.
    @Test func agreesWithTheRouteTable() throws {
        let documented = Set(paths.flatMap { path, item in
            item.keys.filter(Self.httpMethods.contains).map { "\($0) \(path)" }
        })
        let table = RouteTable.endpoints.filter(\.documented)
        #expect(documented == Set(table.map { "\($0.method.lowercased()) \($0.template)" }))
        for endpoint in table {
            let op = try #require(operation(endpoint.method.lowercased(), endpoint.template))
            #expect(op["x-auth"] as? String == endpoint.access.rawValue, "\(endpoint.template)")
        }
    }

    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/PluginAPI/OpenAPI/openapi.json")

    /// The route answers with the file's bytes (embedded at build time), tagged, and 304 on its tag.
    @Test func servedByteForByteFromTheFile() throws {
        let onDisk = Array(try Data(contentsOf: Self.file))
        let f = try APIFixture(); defer { f.remove() }
        let served = f.send("GET", "/api/plugins/openapi.json")
        #expect(served.status == 200)
        #expect(served.body == onDisk)
        #expect(served.header("Content-Type") == "application/json")
        let tag = try #require(served.header("ETag"))
        #expect(tag == EntityTag.of(onDisk))
        #expect(f.send("GET", "/api/plugins/openapi.json", ifNoneMatch: tag).status == 304)
    }

    /// Enable and disable take no lease, so they cannot answer 409 `operation_in_progress`.
    @Test func enableAndDisableListNoConflict() {
        for path in ["/api/plugins/{slug}/enable", "/api/plugins/{slug}/disable",
                     "/api/plugins/{slug}/modules/{module}/enable", "/api/plugins/{slug}/modules/{module}/disable"] {
            #expect(responses("post", path)["409"] == nil, "\(path) lists a 409")
        }
    }

    /// An unknown plugin or version gives bulk-install a 200 with per-user failures, never a 404.
    @Test func bulkInstallListsNo404() {
        #expect(responses("post", "/api/plugins/{slug}/bulk-install")["404"] == nil)
        #expect(responses("post", "/api/plugins/{slug}/bulk-uninstall")["404"] == nil)
    }

    /// Every `$ref` in the document points at something in it.
    @Test func everyReferenceResolves() {
        func walk(_ node: Any, _ at: String) {
            if let object = node as? [String: Any] {
                if let ref = object["$ref"] as? String {
                    #expect(ref.hasPrefix("#/") && !resolved(object).isEmpty, "\(at): \(ref)")
                }
                for (key, value) in object { walk(value, at + "/" + key) }
            } else if let array = node as? [Any] {
                for (index, value) in array.enumerated() { walk(value, at + "/\(index)") }
            }
        }
        walk(document, "#")
    }
}
