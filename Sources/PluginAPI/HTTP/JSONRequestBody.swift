import Foundation
import LifecycleCore

/// The request body as the contract wants it: absent means `{}`; otherwise JSON (415 for another
/// media type, 400 for malformed JSON or a body that is not an object).
struct JSONRequestBody {
    let object: [String: Any]

    init(_ request: HTTPRequest) throws {
        let isBlank = request.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if isBlank { object = [:]; return }
        if let type = request.contentType {
            let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else { throw Problem.unsupportedMediaType }
        } else {
            throw Problem.unsupportedMediaType
        }
        guard let value = try? JSONSerialization.jsonObject(with: Data(request.body), options: [.fragmentsAllowed]) else {
            throw Problem.badRequest("The request body is not valid JSON")
        }
        guard let object = value as? [String: Any] else { throw Problem.badRequest("The request body must be a JSON object") }
        self.object = object
    }

    func optionalString(_ key: String) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let string = value as? String else { throw Problem.badRequest("'\(key)' must be a string") }
        return string
    }

    /// `user_ids`: a non-empty array of valid user ids (at most 1,000).
    func userIDs() throws -> [UserID] {
        guard let values = object["user_ids"] as? [Any], !values.isEmpty, values.count <= 1_000 else {
            throw Problem.badRequest("'user_ids' must be a non-empty array of user ids (at most 1000)")
        }
        return try values.map { value in
            guard let text = value as? String, let user = try? UserID(text) else {
                throw Problem.badRequest("'user_ids' holds an invalid user id")
            }
            return user
        }
    }
}
