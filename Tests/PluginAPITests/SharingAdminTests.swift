import Foundation
import PluginAPI
import StoreTestSupport
import Testing

@Suite(.timeLimit(.minutes(10))) struct SharingAdminTests {
    let p = "/api/plugins/"
    var admin: String { "Bearer " + APIFixture.token("root", admin: true) }

    @Test(arguments: TestStore.all) func offerInstallsNothingUntilAccepted(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        #expect(f.send("POST", p + "braindrive-network/share", user: "alice", body: #"{"user_ids":["bob"]}"#).code == "not_installed")
        f.send("POST", p + "braindrive-network/install", user: "alice", body: #"{"version":"1.0.0"}"#)
        let offer = f.send("POST", p + "braindrive-network/share", user: "alice", body: #"{"user_ids":["bob","carol"]}"#)
        #expect(offer.status == 201)
        let shares = try #require(offer.data?["shares"] as? [[String: Any]])
        #expect(shares.count == 2 && shares[0]["version"] as? String == "1.0.0" && shares[0]["from_user"] as? String == "alice")
        #expect(f.send("GET", p + "braindrive-network/status", user: "bob").data?["status"] as? String == "not_installed")

        let inbox = f.send("GET", p + "shared", user: "bob")
        #expect(inbox.data?["total_count"] as? Int == 1)
        let id = try #require((inbox.data?["shares"] as? [[String: Any]])?.first?["share_id"] as? String)
        #expect(f.send("POST", p + "shared/\(id)/accept", user: "carol").code == "forbidden", "only the recipient accepts")
        let accepted = f.send("POST", p + "shared/\(id)/accept", user: "bob")
        #expect(accepted.status == 201 && accepted.data?["share_id"] as? String == id)
        #expect(accepted.data?["version"] as? String == "1.0.0" && accepted.data?["plugin_id"] as? String == "bob_braindrive_network")
        #expect(f.send("GET", p + "braindrive-network/status", user: "bob").data?["status"] as? String == "healthy")
        #expect(f.send("GET", p + "shared", user: "bob").data?["total_count"] as? Int == 0, "an accepted offer leaves the list")
        #expect(f.send("POST", p + "shared/\(id)/accept", user: "bob").code == "share_not_found")
    }

    @Test(arguments: TestStore.all) func declineWithdrawAndLapse(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        f.send("POST", p + "braindrive-chat/install", user: "alice")
        f.send("POST", p + "braindrive-chat/share", user: "alice", body: #"{"user_ids":["bob","carol","dave"]}"#)
        let bobs = (f.send("GET", p + "shared", user: "bob").data?["shares"] as? [[String: Any]])?.first?["share_id"] as? String
        let carols = (f.send("GET", p + "shared", user: "carol").data?["shares"] as? [[String: Any]])?.first?["share_id"] as? String
        #expect(f.send("DELETE", p + "shared/\(bobs!)", user: "bob").data?["state"] as? String == "declined")
        #expect(f.send("DELETE", p + "shared/\(carols!)", user: "alice").data?["state"] as? String == "withdrawn")
        #expect(f.send("DELETE", p + "shared/\(carols!)", user: "alice").code == "share_not_found")
        #expect(f.send("DELETE", p + "shared/nope", user: "dave").code == "share_not_found")
        #expect(f.send("GET", p + "shared", user: "dave").data?["total_count"] as? Int == 1)
        f.send("DELETE", p + "braindrive-chat/uninstall", user: "alice")
        #expect(f.send("GET", p + "shared", user: "dave").data?["total_count"] as? Int == 0, "the offer lapsed with the plugin")
        for bad in [#"{"user_ids":[]}"#, #"{"user_ids":"bob"}"#, #"{"user_ids":["../x"]}"#, "{}"] {
            f.send("POST", p + "braindrive-network/install", user: "erin")
            #expect(f.send("POST", p + "braindrive-network/share", user: "erin", body: bad).code == "bad_request", "\(bad)")
        }
        #expect(f.send("POST", p + "braindrive-network/share", user: "erin", body: #"{"user_ids":["erin"]}"#).code == "bad_request")
    }

    @Test(arguments: TestStore.all) func theSenderListsItsOpenOffersAndWithdrawsThem(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        f.send("POST", p + "braindrive-chat/install", user: "alice")
        f.send("POST", p + "braindrive-network/install", user: "bob")
        f.send("POST", p + "braindrive-chat/share", user: "alice", body: #"{"user_ids":["bob","carol"]}"#)
        f.send("POST", p + "braindrive-network/share", user: "bob", body: #"{"user_ids":["alice"]}"#)
        func list(_ user: String, _ direction: String?) -> [[String: Any]] {
            let query = direction.map { ["direction": $0] } ?? [:]
            return (f.send("GET", p + "shared", user: user, query: query).data?["shares"] as? [[String: Any]]) ?? []
        }
        let sent = list("alice", "sent")
        #expect(sent.map { $0["to_user"] as? String } == ["bob", "carol"])
        #expect(sent.allSatisfy { $0["from_user"] as? String == "alice" && $0["plugin_slug"] as? String == "braindrive_chat" })
        // The default and `received` are the inbox: only offers to the caller, never its own.
        #expect(list("alice", nil).map { $0["from_user"] as? String } == ["bob"])
        #expect(list("alice", "received").map { $0["from_user"] as? String } == ["bob"])
        #expect(list("carol", "sent").isEmpty, "a recipient has sent nothing")
        #expect(f.send("GET", p + "shared", user: "bob", query: ["direction": "sent"]).data?["total_count"] as? Int == 1)
        // Withdrawn or accepted offers leave the sender's list.
        let toCarol = try #require(sent.last?["share_id"] as? String)
        #expect(f.send("DELETE", p + "shared/\(toCarol)", user: "alice").data?["state"] as? String == "withdrawn")
        let toBob = try #require(sent.first?["share_id"] as? String)
        #expect(f.send("POST", p + "shared/\(toBob)/accept", user: "bob").status == 201)
        #expect(list("alice", "sent").isEmpty)
        for bad in ["both", "SENT"] {
            #expect(f.send("GET", p + "shared", user: "alice", query: ["direction": bad]).code == "bad_request", "\(bad)")
        }
    }

    @Test(arguments: TestStore.all) func acceptWhenAlreadyInstalledIsAConflict(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        f.send("POST", p + "braindrive-chat/install", user: "alice")
        f.send("POST", p + "braindrive-chat/install", user: "bob")
        f.send("POST", p + "braindrive-chat/share", user: "alice", body: #"{"user_ids":["bob"]}"#)
        let id = (f.send("GET", p + "shared", user: "bob").data?["shares"] as? [[String: Any]])?.first?["share_id"] as? String
        #expect(f.send("POST", p + "shared/\(id!)/accept", user: "bob").code == "already_installed")
    }

    @Test(arguments: TestStore.all) func bulkInstallAndUninstallArePerUser(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        #expect(f.send("POST", p + "braindrive-chat/bulk-install", user: "u1", body: #"{"user_ids":["a"]}"#).code == "forbidden")
        f.send("POST", p + "braindrive-chat/install", user: "b")
        let bulk = f.send("POST", p + "braindrive-chat/bulk-install", authorization: admin, body: #"{"user_ids":["a","b","c"]}"#)
        #expect(bulk.status == 200)
        let outcomes = (bulk.data?["results"] as? [[String: Any]])?.map { "\($0["user_id"]!):\($0["outcome"]!)" }
        #expect(outcomes == ["a:installed", "b:already_installed", "c:installed"])
        #expect(bulk.data?["succeeded"] as? Int == 3 && bulk.data?["failed"] as? Int == 0)
        let failing = f.send("POST", p + "braindrive-chat/bulk-install", authorization: admin, body: #"{"user_ids":["d"],"version":"9.9.9"}"#)
        let failure = (failing.data?["results"] as? [[String: Any]])?.first
        #expect(failure?["outcome"] as? String == "failed" && failure?["code"] as? String == "version_not_found")
        let removal = f.send("POST", p + "braindrive-chat/bulk-uninstall", authorization: admin, body: #"{"user_ids":["a","d"]}"#)
        #expect((removal.data?["results"] as? [[String: Any]])?.map { $0["outcome"] as! String } == ["uninstalled", "not_installed"])
        #expect(f.send("GET", p + "braindrive-chat/status", user: "c").data?["status"] as? String == "healthy")
        let audit = f.send("GET", p + "audit", user: "c").data?["events"] as? [[String: Any]]
        #expect(audit?.first?["actor"] as? String == "root", "the admin is the actor, c the subject")
    }

    @Test(arguments: TestStore.all) func purgeRemovesEverythingOfAUser(store: TestStore) throws {
        let f = try APIFixture(store: store); defer { f.remove() }
        f.send("POST", p + "braindrive-library/install", user: "gone")
        f.send("POST", p + "braindrive-network/install", user: "gone")
        f.send("POST", p + "braindrive-network/share", user: "gone", body: #"{"user_ids":["stay"]}"#)
        f.send("POST", p + "braindrive-chat/install", user: "stay")
        #expect(f.send("DELETE", p + "users/gone", user: "stay").code == "forbidden")
        let purge = f.send("DELETE", p + "users/gone", authorization: admin)
        #expect(purge.status == 200, "\(purge.jsonObject ?? [:])")
        #expect(Set(purge.data?["uninstalled"] as? [String] ?? []) == ["braindrive_chat", "braindrive_library", "braindrive_network"])
        #expect(purge.data?["shares_removed"] as? Int == 1)
        #expect(!FileManager.default.fileExists(atPath: f.root + "/plugins/gone"))
        #expect(f.send("GET", p + "installed", user: "gone").data?["total_count"] as? Int == 0)
        #expect(f.send("GET", p + "shared", user: "stay").data?["total_count"] as? Int == 0)
        #expect(f.send("GET", p + "braindrive-chat/status", user: "stay").data?["status"] as? String == "healthy")
        #expect(f.send("DELETE", p + "users/..%2fx", authorization: admin).code == "bad_request")
    }
}
