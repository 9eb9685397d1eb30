import Foundation
import PluginCatalog

/// Extracts a `.tar.gz`/`.tgz` package with the system `tar`, after listing it: any entry that is
/// not a regular file or a folder (symlink, hard link, device, FIFO, …), has an absolute name or
/// a `..` component, or would break the count or size limits refuses the whole archive before
/// anything is extracted. Extraction then runs without `-P` (tar's own guards stay on), without
/// owners or modes from the archive; the publisher walks the result again with `lstat`.
enum TarExtractor {
    static let candidates = ["/bin/tar", "/usr/bin/tar"]

    static func extract(_ archiveURL: URL, into destination: String, scratch: String) throws(PublishError) {
        let path = archiveURL.path
        guard let tar = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw .io("no tar executable found (looked in \(candidates.joined(separator: ", ")))")
        }
        // `-P` on listing only: names exactly as stored (GNU tar would otherwise hide a leading `/`).
        let names = try lines(run(tar, ["-t", "-z", "-P", "-f", path], scratch: scratch, archive: path))
        let long = try lines(run(tar, ["-t", "-v", "-z", "-P", "-f", path], scratch: scratch, archive: path))
        guard names.count == long.count else {
            throw .unsupportedSource(path: path, reason: "the archive listing is ambiguous (a member name spans lines)")
        }

        var files = 0
        var folders = 0
        var bytes: Int64 = 0
        for (name, line) in zip(names, long) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            switch line.first {
            case "-":
                let components = try EntryPath.components(name, allowBackslash: true)
                guard !components.isEmpty else { throw .entryRefused(entry: name, reason: .badName) }
                files += 1
                if files > CatalogLimits.maxFiles { throw .entryRefused(entry: name, reason: .tooManyFiles(limit: CatalogLimits.maxFiles)) }
                // GNU tar: `-rw-r--r-- owner/group SIZE date time name`;
                // bsdtar (macOS): `-rw-r--r--  0 owner group SIZE month day time name`.
                let sizeField = fields.count > 1 && fields[1].contains("/") ? 2 : 4
                guard fields.count > sizeField, let size = Int64(fields[sizeField]), size >= 0 else {
                    throw .unsupportedSource(path: path, reason: "cannot read the size of \(PublishError.quoted(name)) in the listing")
                }
                bytes += size
                if bytes > CatalogLimits.maxPackageBytes {
                    throw .entryRefused(entry: name, reason: .tooLarge(limit: CatalogLimits.maxPackageBytes))
                }
            case "d":
                _ = try EntryPath.components(name, allowBackslash: true)
                folders += 1
                if folders > CatalogLimits.maxFiles { throw .entryRefused(entry: name, reason: .tooManyFiles(limit: CatalogLimits.maxFiles)) }
            case "l":
                let target = line.range(of: " -> ").map { String(line[$0.upperBound...]) }
                throw .entryRefused(entry: name, reason: .link(target: target))
            case "h":
                let target = line.range(of: " link to ").map { String(line[$0.upperBound...]) }
                throw .entryRefused(entry: name, reason: .link(target: target))
            case "c": throw .entryRefused(entry: name, reason: .device("a character device"))
            case "b": throw .entryRefused(entry: name, reason: .device("a block device"))
            case "p": throw .entryRefused(entry: name, reason: .device("a FIFO"))
            case "s": throw .entryRefused(entry: name, reason: .device("a socket"))
            default:
                throw .entryRefused(entry: name, reason: .device("a special entry ('\(line.first.map(String.init) ?? "?")')"))
            }
        }

        _ = try run(tar, ["-x", "-z", "-f", path, "--no-same-owner", "--no-same-permissions", "-C", destination],
                    scratch: scratch, archive: path)
    }

    private static func lines(_ output: Data) -> [String] {
        String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Runs tar; stdout is read to the end before waiting (no pipe deadlock), stderr goes to a
    /// file in the staging folder and ends up in the error when tar fails.
    private static func run(_ tar: String, _ arguments: [String], scratch: String, archive: String) throws(PublishError) -> Data {
        let errorPath = scratch + "/tar-stderr"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        guard let errorHandle = FileHandle(forWritingAtPath: errorPath) else { throw .io("cannot create \(errorPath)") }
        defer { try? errorHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: tar)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        environment.removeValue(forKey: "TAR_OPTIONS")
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .io("cannot run \(tar): \(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let message = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw .unsupportedSource(path: archive, reason: "not a readable .tar.gz archive (tar: \(firstLine))")
        }
        return data
    }
}
