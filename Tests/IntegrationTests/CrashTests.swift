import Foundation
import StoreTestSupport
import Testing

/// Processes killed with SIGKILL in the middle of operations: the database and the disk must
/// still agree, and no staging leftovers may remain once the next operation ran.
@Suite(.serialized, .timeLimit(.minutes(10))) struct CrashTests {
    let p = "/api/plugins/"

    @Test(arguments: TestStore.all) func cliKilledAtEachPointOfAnInstallLeavesNothingInstalled(store: TestStore) throws {
        let stack = try Stack(store: store, workers: 1); defer { stack.stop() }
        for point in ["install.staged", "install.after-swap", "install.before-commit"] {
            let killed = try stack.cli(["install", "victim", "braindrive-network"], environment: ["PLUGIN_LIFECYCLE_FAULT": point])
            #expect(killed.status == -SIGKILL, "\(point): \(killed.output)")
            let status = try stack.get(p + "braindrive-network/status", user: "victim")
            #expect(status.data?["status"] as? String == "not_installed", "\(point): the row was never committed")
            let retry = try stack.request("POST", p + "braindrive-network/install", user: "victim")
            #expect(retry.status == 201, "\(point): the dead owner's lease is taken over: \(retry.text)")
            #expect(try stack.get(p + "braindrive-network/status?verify=full", user: "victim").data?["status"] as? String == "healthy")
            #expect(stack.stagingEntries().isEmpty, "\(point): \(stack.stagingEntries())")
            #expect(try stack.request("DELETE", p + "braindrive-network/uninstall", user: "victim").status == 200)
        }
    }

    @Test func installWithDependencyKilledBeforeCommitInstallsNeither() throws {
        let stack = try Stack(workers: 1); defer { stack.stop() }
        for point in ["install.after-swap", "install.before-commit"] {
            let killed = try stack.cli(["install", "victim", "braindrive-library"], environment: ["PLUGIN_LIFECYCLE_FAULT": point])
            #expect(killed.status == -SIGKILL, "\(point): \(killed.output)")
            for slug in ["braindrive-chat", "braindrive-library"] {
                #expect(try stack.get(p + slug + "/status", user: "victim").data?["status"] as? String == "not_installed", "\(point) \(slug)")
            }
        }
        let retry = try stack.request("POST", p + "braindrive-library/install", user: "victim")
        #expect(retry.status == 201 && retry.data?["dependencies_installed"] as? [String] == ["braindrive_chat"], "\(retry.text)")
        #expect(stack.stagingEntries().isEmpty)
        let cascade = try stack.request("DELETE", p + "braindrive-chat/uninstall?cascade=true", user: "victim")
        #expect(cascade.data?["uninstalled"] as? [String] == ["braindrive_chat", "braindrive_library"], "\(cascade.text)")
    }

    @Test func anInstallHoldsTheInstalledDependencyItReliesOn() throws {
        let hold = try FaultHold("install.staged")
        let stack = try Stack(workers: 1, environment: hold.environment); defer { stack.stop() }
        #expect(try stack.cli(["install", "racer", "braindrive-chat"]).status == 0)
        let token = stack.token("racer")
        let outcome = Tally()
        let request = Thread {
            let result = try? stack.request("POST", p + "braindrive-library/install", token: token)
            outcome.add(result.map { String($0.status) } ?? "error")
        }
        request.start()
        try #require(hold.waitUntilReached())
        // The library install is held between its check and its commit: chat may not go away now.
        let uninstall = try stack.cli(["uninstall", "racer", "braindrive-chat"])
        #expect(uninstall.status == 1 && uninstall.output.contains("in progress"), "\(uninstall.output)")
        hold.release()
        _ = eventually { !outcome.all.isEmpty }
        #expect(outcome.all == ["201": 1])
        let refused = try stack.cli(["uninstall", "racer", "braindrive-chat"])
        #expect(refused.status == 1 && refused.output.contains("needed by 'braindrive_library'"), "\(refused.output)")
    }

    @Test(arguments: TestStore.all) func cliKilledDuringUninstallAndRepairLeavesThePreviousState(store: TestStore) throws {
        let stack = try Stack(store: store, workers: 1); defer { stack.stop() }
        #expect(try stack.request("POST", p + "braindrive-chat/install", user: "victim").status == 201)
        for (command, point) in [("uninstall", "uninstall.before-commit"), ("repair", "repair.after-swap"), ("repair", "repair.before-commit")] {
            if command == "repair" {
                try FileManager.default.removeItem(atPath: stack.dataDir + "/plugins/victim/braindrive_chat/README.md")
            }
            let killed = try stack.cli([command, "victim", "braindrive-chat"], environment: ["PLUGIN_LIFECYCLE_FAULT": point])
            #expect(killed.status == -SIGKILL, "\(point): \(killed.output)")
            // The status check notices the dead owner's lease and rolls its change back first.
            let status = try stack.get(p + "braindrive-chat/status", user: "victim")
            let expected = command == "repair" ? "files_missing" : "healthy"
            #expect(status.data?["status"] as? String == expected, "\(point): \(status.text)")
            #expect(stack.stagingEntries().isEmpty, "\(point): \(stack.stagingEntries())")
            if command == "repair" {
                #expect(try stack.request("POST", p + "braindrive-chat/repair", user: "victim").data?["new_status"] as? String == "healthy")
            }
        }
        let audit = try stack.cli(["status", "victim", "braindrive-chat", "--json", "--full"])
        #expect(audit.status == 0 && audit.output.contains("\"healthy\""))
    }

    @Test(arguments: TestStore.all) func updateKilledAtEachStepKeepsTheOldVersionHealthy(store: TestStore) throws {
        let stack = try Stack(store: store, workers: 1); defer { stack.stop() }
        #expect(try stack.request("POST", p + "braindrive-network/install", user: "victim", body: #"{"version":"1.0.0"}"#).status == 201)
        for point in ["update.staged", "update.old-moved", "update.after-swap", "update.before-commit"] {
            let killed = try stack.cli(["update", "victim", "braindrive-network"], environment: ["PLUGIN_LIFECYCLE_FAULT": point])
            #expect(killed.status == -SIGKILL, "\(point): \(killed.output)")
            let status = try stack.get(p + "braindrive-network/status?verify=full", user: "victim")
            #expect(status.data?["version"] as? String == "1.0.0" && status.data?["status"] as? String == "healthy",
                    "\(point): \(status.text)")
            #expect(stack.stagingEntries().isEmpty, "\(point)")
        }
        let update = try stack.request("PUT", p + "braindrive-network/update", user: "victim")
        #expect(update.status == 200 && update.data?["new_version"] as? String == "1.1.0", "\(update.text)")
        #expect(try stack.get(p + "braindrive-network/status?verify=full", user: "victim").data?["status"] as? String == "healthy")
    }

    @Test(arguments: TestStore.all) func workerKilledMidInstallLeavesNoPartialPlugin(store: TestStore) throws {
        let hold = try FaultHold("install.after-swap")
        let stack = try Stack(store: store, workers: 2, environment: hold.environment)
        defer { stack.stop() }
        let token = stack.token("victim")
        let outcome = Tally()
        let request = Thread {
            let result = try? stack.request("POST", p + "braindrive-network/install", token: token)
            outcome.add(result.map { String($0.status) } ?? "error")
        }
        request.start()
        // The new folder is in place and the worker is held before it commits.
        try #require(hold.waitUntilReached())
        #expect(stack.exists("plugins/victim/braindrive_network"))
        let before = stack.workerPIDs()
        for pid in before { kill(pid, SIGKILL) }
        hold.release() // the retry below goes straight through
        _ = eventually { !outcome.all.isEmpty }
        #expect(outcome.all.keys.first == "502", "nginx reports the dead worker: \(outcome.all)")
        // The pool is back to size.
        #expect(eventually { stack.workerPIDs().count == 2 && Set(stack.workerPIDs()).isDisjoint(with: before) })
        #expect(try stack.get(p + "braindrive-network/status", user: "victim").data?["status"] as? String == "not_installed")
        let retry = try stack.request("POST", p + "braindrive-network/install", user: "victim")
        #expect(retry.status == 201, "\(retry.text)")
        #expect(try stack.get(p + "braindrive-network/status?verify=full", user: "victim").data?["status"] as? String == "healthy")
        #expect(stack.stagingEntries().isEmpty)
    }

    @Test func poolKeepsAnsweringWhileAWorkerIsKilledUnderLoad() throws {
        // The per-address limit is lifted: this load comes from one address, like wrk's.
        let stack = try Stack(workers: 2, threads: 4, apiRate: "100000r/s"); defer { stack.stop() }
        let token = stack.token("loaded")
        let tally = Tally()
        let stop = Latest()
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread {
                while stop.value == nil {
                    let result = try? stack.get(p + "available", headers: ["Authorization": "Bearer " + token])
                    tally.add(result.map { String($0.status) } ?? "error")
                }
                group.leave()
            }.start()
        }
        #expect(eventually { (tally.all["200"] ?? 0) >= 20 }, "the load is running")
        let victim = stack.workerPIDs()[0]
        kill(victim, SIGKILL)
        #expect(eventually { stack.workerPIDs().count == 2 && !stack.workerPIDs().contains(victim) }, "replaced")
        // The pool keeps answering after the kill.
        let answered = tally.all["200"] ?? 0
        #expect(eventually { (tally.all["200"] ?? 0) >= answered + 20 }, "answers after the kill")
        stop.set(HTTPResult(status: 0, headers: [:], body: []))
        group.wait()
        let counts = tally.all
        // Only requests in flight on the killed worker (at most its 4 threads) may fail.
        #expect(counts.filter { $0.key != "200" }.values.reduce(0, +) <= 4, "\(counts)")
        #expect(try stack.get(p + "health").status == 200)
    }

    @Test func sigtermDrainsTheRequestInFlight() throws {
        let hold = try FaultHold("install.staged")
        let stack = try Stack(workers: 1, environment: hold.environment)
        defer { stack.stop() }
        let token = stack.token("drained")
        let outcome = Tally()
        let request = Thread {
            let result = try? stack.request("POST", p + "braindrive-chat/install", token: token)
            outcome.add(result.map { String($0.status) } ?? "error")
        }
        request.start()
        try #require(hold.waitUntilReached())
        kill(stack.pool.processIdentifier, SIGTERM)
        // The worker has been told to drain while the install is held: now let it finish.
        #expect(eventually {
            ((try? String(contentsOfFile: stack.poolLog, encoding: .utf8)) ?? "").contains("signal received: draining")
        })
        hold.release()
        stack.pool.waitUntilExit()
        _ = eventually { !outcome.all.isEmpty }
        #expect(outcome.all == ["201": 1], "the install in flight finished before the worker exited")
        #expect(stack.pool.terminationStatus == 0)
        #expect(stack.exists("plugins/drained/braindrive_chat/plugin_metadata.json"))
    }
}
