/// `share`, `shared`, accept, decline/withdraw, bulk and purge shapes of the contract.

public struct ShareOffer: Codable, Sendable, Equatable {
    public var shareID: String
    public var pluginSlug: String
    public var version: String
    public var fromUser: String
    public var toUser: String
    public var createdAt: String
    enum CodingKeys: String, CodingKey {
        case version
        case shareID = "share_id", pluginSlug = "plugin_slug", fromUser = "from_user", toUser = "to_user"
        case createdAt = "created_at"
    }
}

public struct ShareList: Codable, Sendable, Equatable {
    public var shares: [ShareOffer]
    public var totalCount: Int?
    enum CodingKeys: String, CodingKey { case shares, totalCount = "total_count" }
}

public struct AcceptResult: Codable, Sendable, Equatable {
    public var install: InstallResult
    public var shareID: String

    public func encode(to encoder: any Encoder) throws {
        try install.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(shareID, forKey: .shareID)
    }
    public init(install: InstallResult, shareID: String) { self.install = install; self.shareID = shareID }
    public init(from decoder: any Decoder) throws {
        install = try InstallResult(from: decoder)
        shareID = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .shareID)
    }
    enum CodingKeys: String, CodingKey { case shareID = "share_id" }
}

public struct ShareSettlement: Codable, Sendable, Equatable {
    public var shareID: String
    public var state: String
    enum CodingKeys: String, CodingKey { case state, shareID = "share_id" }
}

public struct BulkResult: Codable, Sendable, Equatable {
    public struct Outcome: Codable, Sendable, Equatable {
        public var userID: String
        public var outcome: String
        public var code: String?
        public var detail: String?
        enum CodingKeys: String, CodingKey { case outcome, code, detail, userID = "user_id" }
        public init(userID: String, outcome: String, code: String? = nil, detail: String? = nil) {
            self.userID = userID; self.outcome = outcome; self.code = code; self.detail = detail
        }
    }
    public var pluginSlug: String
    public var results: [Outcome]
    public var succeeded: Int
    public var failed: Int
    enum CodingKeys: String, CodingKey { case results, succeeded, failed, pluginSlug = "plugin_slug" }
    public init(pluginSlug: String, results: [Outcome]) {
        self.pluginSlug = pluginSlug; self.results = results
        failed = results.filter { $0.outcome == "failed" }.count
        succeeded = results.count - failed
    }
}

public struct PurgeResult: Codable, Sendable, Equatable {
    public var userID: String
    public var uninstalled: [String]
    public var sharesRemoved: Int
    enum CodingKeys: String, CodingKey { case uninstalled, userID = "user_id", sharesRemoved = "shares_removed" }
}
