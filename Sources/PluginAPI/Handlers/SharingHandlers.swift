import LifecycleCore
import PluginCatalog

/// Offers between users, and the audit trail.
extension PluginAPI {
    func share(_ call: Call<Caller>) throws -> HTTPResponse {
        let user = call.caller.user
        let slug = try call.slug()
        let recipients = try call.body.userIDs()
        if recipients.contains(user) { throw Problem.badRequest("user_ids must not contain yourself") }
        let list = try service.share(user: user, slug: slug, with: recipients, context: call.context)
        return success(201, "Plugin '\(slug.value)' offered to \(list.shares.count) users", list)
    }

    func shared(_ call: Call<Caller>) throws -> HTTPResponse {
        let direction: LifecycleService.ShareDirection
        switch call.request.query["direction"] {
        case nil, "", "received": direction = .received
        case "sent": direction = .sent
        case let other?: throw Problem.badRequest("direction must be received or sent, not '\(other.prefix(20))'")
        }
        let list = try service.shared(user: call.caller.user, direction: direction)
        return success(200, "\(list.shares.count) offers", list)
    }

    func acceptShare(_ call: Call<Caller>) throws -> HTTPResponse {
        let result = try service.accept(user: call.caller.user, shareID: try call.parameter("share_id"), context: call.context)
        return success(201, "Plugin '\(result.install.pluginSlug)' installed from share", result)
    }

    func settleShare(_ call: Call<Caller>) throws -> HTTPResponse {
        let result = try service.settle(user: call.caller.user, shareID: try call.parameter("share_id"), context: call.context)
        return success(200, "Share \(result.state)", result)
    }

    /// The caller's events; an admin sees everyone's, or one user's with `user_id`.
    func audit(_ call: Call<Caller>) throws -> HTTPResponse {
        let query = call.request.query
        let limit: Int
        switch query["limit"] {
        case nil, "": limit = 50
        case let text?:
            guard let value = Int(text), (1...500).contains(value) else { throw Problem.badRequest("limit must be 1 to 500") }
            limit = value
        }
        var cursor: Int64?
        if let text = query["cursor"], !text.isEmpty {
            guard let value = Int64(text), value > 0 else { throw Problem.badRequest("cursor is not one this service gave") }
            cursor = value
        }
        var subject: UserID? = call.caller.user
        if let requested = query["user_id"], !requested.isEmpty {
            guard let requestedUser = try? UserID(requested) else { throw Problem.badRequest("user_id is not a valid user id") }
            if requestedUser != call.caller.user && !call.caller.isAdmin { throw Problem.forbidden }
            subject = requestedUser
        } else if call.caller.isAdmin {
            subject = nil
        }
        let page = try service.audit(user: subject, limit: limit, cursor: cursor)
        return success(200, "\(page.events.count) events", page)
    }
}
