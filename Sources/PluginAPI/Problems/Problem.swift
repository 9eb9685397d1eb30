import Foundation
import LifecycleCore
import TokenAuth

/// An RFC 9457 problem: the only error shape the API answers with.
struct Problem: Error, Sendable {
    let status: Int
    let code: String
    let detail: String
    var headers: [(name: String, value: String)] = []

    func response(instance: String, requestID: String) -> HTTPResponse {
        let body = ProblemBody(title: HTTPStatus.reason(status), status: status, code: code, detail: detail,
                               instance: instance, requestID: requestID)
        return HTTPResponse(status: status,
                            headers: [("Content-Type", "application/problem+json")] + headers,
                            body: JSONBody.encode(body))
    }
}

private struct ProblemBody: Encodable {
    let type = "about:blank"
    let title: String
    let status: Int
    let code: String
    let detail: String
    let instance: String
    let requestID: String

    enum CodingKeys: String, CodingKey {
        case type, title, status, code, detail, instance
        case requestID = "request_id"
    }
}

/// Every error value of the layers below, mapped to the contract's status and code: the one place that does it.
extension Problem {
    static let retryAfterSeconds = "2"

    init(_ error: LifecycleError) {
        switch error {
        case .invalidSlug: self.init(status: 400, code: "invalid_slug", detail: error.description)
        case .invalidUserID: self.init(status: 401, code: "invalid_token", detail: "The token is not valid")
        case .invalidVersion: self.init(status: 400, code: "invalid_version", detail: error.description)
        case .pluginNotFound: self.init(status: 404, code: "plugin_not_found", detail: error.description)
        case .versionNotFound: self.init(status: 404, code: "version_not_found", detail: error.description)
        case .notInstalled: self.init(status: 404, code: "not_installed", detail: error.description)
        case .moduleNotFound: self.init(status: 404, code: "not_found", detail: error.description)
        case .invalidPath: self.init(status: 400, code: "invalid_path", detail: error.description)
        case .pluginDisabled: self.init(status: 403, code: "plugin_disabled", detail: error.description)
        case .fileNotFound: self.init(status: 404, code: "file_not_found", detail: error.description)
        case .fileDamaged: self.init(status: 409, code: "file_damaged", detail: error.description)
        case .shareNotFound: self.init(status: 404, code: "share_not_found", detail: error.description)
        case .pluginIDTaken: self.init(status: 409, code: "already_installed", detail: error.description)
        case .forbidden: self.init(status: 403, code: "forbidden", detail: error.description)
        case .alreadyInstalled: self.init(status: 409, code: "already_installed", detail: error.description)
        case .operationInProgress: self.init(status: 409, code: "operation_in_progress", detail: error.description)
        case .dependencyInUse: self.init(status: 409, code: "dependency_in_use", detail: error.description)
        case .dependencyUnsatisfied: self.init(status: 422, code: "dependency_unsatisfied", detail: error.description)
        case .invalidPackage: self.init(status: 422, code: "invalid_package", detail: error.description)
        case .storageUnavailable:
            self.init(status: 503, code: "storage_unavailable", detail: error.description,
                      headers: [("Retry-After", "30")])
        // The server is restarting or out of reach: a short wait, as for a busy database.
        case .databaseUnreachable:
            self.init(status: 503, code: "storage_unavailable", detail: error.description,
                      headers: [("Retry-After", Self.retryAfterSeconds)])
        case .insufficientStorage: self.init(status: 507, code: "insufficient_storage", detail: error.description)
        case .databaseBusy:
            self.init(status: 503, code: "unavailable", detail: error.description,
                      headers: [("Retry-After", Self.retryAfterSeconds)])
        case .internalFailure: self.init(status: 500, code: "internal", detail: "Internal error; it has been logged")
        }
    }

    init(_ failure: AuthFailure) {
        switch failure {
        case .missingToken:
            self.init(status: 401, code: "missing_token", detail: "This route needs an 'Authorization: Bearer' token",
                      headers: [("WWW-Authenticate", "Bearer realm=\"plugins\"")])
        case .expiredToken:
            self.init(status: 401, code: "expired_token", detail: "The token has expired",
                      headers: [("WWW-Authenticate", "Bearer realm=\"plugins\", error=\"invalid_token\"")])
        case .invalidToken:
            self.init(status: 401, code: "invalid_token", detail: "The token is not valid",
                      headers: [("WWW-Authenticate", "Bearer realm=\"plugins\", error=\"invalid_token\"")])
        }
    }

    init(_ failure: GrantFailure) {
        switch failure {
        case .invalid:
            self.init(status: 403, code: "invalid_signature",
                      detail: "The signed URL is not valid for this file (altered, another user's, another version, or outside its folder)")
        case .expired:
            self.init(status: 403, code: "expired_signature",
                      detail: "The signed URL has expired; status and installed hand out a new one")
        }
    }

    static func notFound(_ path: String) -> Problem {
        Problem(status: 404, code: "not_found", detail: "No route for this path")
    }

    static func methodNotAllowed(_ allowed: [String]) -> Problem {
        Problem(status: 405, code: "method_not_allowed",
                detail: "Allowed: \(allowed.joined(separator: ", "))", headers: [("Allow", allowed.joined(separator: ", "))])
    }

    static let forbidden = Problem(status: 403, code: "forbidden", detail: "This needs admin rights")
    static func badRequest(_ detail: String) -> Problem { Problem(status: 400, code: "bad_request", detail: detail) }
    static let payloadTooLarge = Problem(status: 413, code: "payload_too_large", detail: "The request body is over the limit this server sets (--max-body-bytes)")
    static let unsupportedMediaType = Problem(status: 415, code: "unsupported_media_type", detail: "The request body must be JSON (Content-Type: application/json)")
}

enum HTTPStatus {
    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        case 507: "Insufficient Storage"
        default: "Error"
        }
    }
}
