import Foundation

/// Built once, on the first input: the data directory, the service and the tokens.
nonisolated(unsafe) private var sharedHarness: FuzzHarness?

private func harness() -> FuzzHarness {
    if let sharedHarness { return sharedHarness }
    do {
        let made = try FuzzHarness()
        sharedHarness = made
        // libFuzzer leaves through exit(): one last confinement check, then the folder goes
        // (a crash skips this, so the evidence stays for the report).
        atexit {
            sharedHarness?.checkConfinement()
            if ProcessInfo.processInfo.environment["PLUGIN_API_FUZZ_KEEP"] == nil { sharedHarness?.removeWorkRoot() }
        }
        return made
    } catch {
        fatalError("fuzz harness setup failed: \(error)")
    }
}

/// libFuzzer's entry point; also what the replay runner calls for each corpus file.
@_cdecl("LLVMFuzzerTestOneInput")
package func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    harness().run(bytes)
    return 0
}

#if FUZZING
/// SwiftPM links an executable's `main` to this module's entry point, so libFuzzer's own `main`
/// cannot be used: start its driver from here instead (same flags, same corpus handling).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@main struct PluginAPIFuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
    }
}
#else
/// Replay: runs every corpus file given (files or folders, recursively) through the same
/// harness and oracle, e.g. as a regression run over Tests/Fuzz/corpus and saved crash inputs.
@main struct PluginAPIFuzz {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data("usage: plugin-api-fuzz <corpus file or folder>...\n".utf8))
            exit(2)
        }
        var count = 0
        for path in arguments {
            for file in files(under: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("unreadable: \(file)\n".utf8)); exit(2)
                }
                _ = [UInt8](data).withUnsafeBufferPointer { fuzzOneInput($0.baseAddress, $0.count) }
                count += 1
            }
        }
        harness().checkConfinement()
        print("replayed \(count) inputs: no crash, no 500, nothing touched outside the data directory")
        exit(0)
    }

    static func files(under path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [path] }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { path + "/" + $0 }.filter {
            var sub: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &sub) && !sub.boolValue
        }
    }
}
#endif
