import Foundation
import LifecycleCore
import Logging
import PluginAPI
import TokenAuth

/// The API over a real LifecycleService on a private data directory, plus the oracle every
/// input is held to. A broken rule stops the process with `fatalError`, which libFuzzer (or the
/// replay runner's caller) records as a crash together with the input.
///
/// Layout of the work folder: `data/` (the data directory, sample catalog inside) and
/// `outside/` (a sentinel tree that must stay exactly as created). Nothing else may appear.
final class FuzzHarness {
    let workRoot: String
    let dataDir: String
    let outside: String
    let api: PluginAPI
    let tokens: TokenSet
    private var runs = 0
    private let sentinelText = "must never change\n"

    /// Every `checkEvery` inputs the confinement check runs (it lists two small folders).
    static let checkEvery = 50

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["PLUGIN_API_FUZZ_WORKDIR"], !given.isEmpty {
            workRoot = given
        } else {
            var template = Array((NSTemporaryDirectory() + "/plugin-api-fuzz-XXXXXX").utf8CString)
            guard let made = mkdtemp(&template) else { throw HarnessError.setup("mkdtemp failed") }
            workRoot = String(cString: made)
        }
        dataDir = workRoot + "/data"
        outside = workRoot + "/outside"
        let files = FileManager.default
        try? files.removeItem(atPath: dataDir)
        try? files.removeItem(atPath: outside)
        try files.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        try files.createDirectory(atPath: outside + "/dir", withIntermediateDirectories: true)
        try sentinelText.write(toFile: outside + "/file", atomically: false, encoding: .utf8)
        try sentinelText.write(toFile: outside + "/dir/file", atomically: false, encoding: .utf8)
        let catalog = environment["PLUGIN_API_FUZZ_CATALOG"] ?? Self.repositoryCatalog
        try files.copyItem(atPath: catalog, toPath: dataDir + "/catalog")

        // A fuzzer produces many refused tokens: their log lines are noise here.
        let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
        let service = try LifecycleService(dataDirectory: dataDir, logger: logger)
        let verifier = try TokenVerifier(configuration: .init(key: .hmacSecret(TokenSet.secret)))
        api = PluginAPI(service: service, verifier: verifier, logger: logger)
        tokens = try TokenSet()
    }

    /// deploy/catalog of the checkout this was built from.
    static let repositoryCatalog = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/catalog").path

    func run(_ bytes: [UInt8]) {
        let input = FuzzInput(bytes, tokens: tokens)
        let request = HTTPRequest(cgiParams: input.params, body: input.body, bodyTooLarge: input.bodyTooLarge,
                                  paramsTooLarge: input.paramsTooLarge)
        let response = api.handle(request)
        ResponseOracle.check(response, request: request, dataDir: dataDir, workRoot: workRoot)
        runs += 1
        if runs % Self.checkEvery == 0 { checkConfinement() }
    }

    /// Nothing created, changed or removed outside the data directory.
    func checkConfinement() {
        let files = FileManager.default
        let top = Set((try? files.contentsOfDirectory(atPath: workRoot)) ?? [])
        guard top == ["data", "outside"] else { fatalError("entries appeared beside the data directory: \(top.sorted())") }
        let tree = ((try? files.subpathsOfDirectory(atPath: outside)) ?? []).sorted()
        guard tree == ["dir", "dir/file", "file"] else { fatalError("the sentinel tree outside changed: \(tree)") }
        for path in ["file", "dir/file"] {
            var st = stat()
            guard lstat(outside + "/" + path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
                  (try? String(contentsOfFile: outside + "/" + path, encoding: .utf8)) == sentinelText else {
                fatalError("the sentinel file outside/\(path) changed")
            }
        }
    }

    func removeWorkRoot() { try? FileManager.default.removeItem(atPath: workRoot) }
}

enum HarnessError: Error { case setup(String) }
