#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PluginCatalog
import Posix
import ZIPFoundation

/// Extracts a `.zip` package into a staging folder. Every entry is checked (kind, name, count,
/// declared size) before the first byte is written; files are then written by this code, never
/// by ZIPFoundation's `extract(to:)`: created exclusively 0644 through `O_NOFOLLOW`, with the
/// bytes actually inflated held, as they come, to the entry's declared size (a lying header
/// stops at the size it declared, so the declared sizes checked against the cap bound what
/// reaches the disk) and the CRC-32 checked.
///
/// ZIPFoundation's public API reports only files, folders and symlinks (a device or FIFO entry
/// comes back as a file), so the type bits a Unix archiver recorded are read from the central
/// directory by `ZipCentralDirectory` and special entries are refused by name. Even without
/// that, every file entry is written as a regular file, never as a special one, and the second
/// walk of the staged tree refuses anything else.
enum ZipExtractor {
    private struct Planned {
        let entry: Entry
        let components: [String]
    }

    static func extract(_ archiveURL: URL, into destination: String) throws(PublishError) {
        let archive: Archive
        do { archive = try Archive(url: archiveURL, accessMode: .read) } catch {
            throw .unsupportedSource(path: archiveURL.path, reason: "not a readable ZIP archive")
        }

        // Pass 1: check everything; nothing is written.
        var planned: [Planned] = []
        var files = 0
        var folders = 0
        var bytes: UInt64 = 0
        guard let rawTypes = ZipCentralDirectory.fileTypes(of: archiveURL) else {
            throw .unsupportedSource(path: archiveURL.path, reason: "the ZIP central directory cannot be read")
        }
        var position = 0
        for entry in archive {
            let name = entry.path
            let rawType = position < rawTypes.count ? rawTypes[position] : 0
            position += 1
            if let special = special(rawType) { throw .entryRefused(entry: name, reason: special) }
            let components = try EntryPath.components(name)
            switch entry.type {
            case .symlink:
                throw .entryRefused(entry: name, reason: .link(target: nil))
            case .directory:
                folders += 1
                if folders > CatalogLimits.maxFiles { throw .entryRefused(entry: name, reason: .tooManyFiles(limit: CatalogLimits.maxFiles)) }
            case .file:
                guard !components.isEmpty else { throw .entryRefused(entry: name, reason: .badName) }
                files += 1
                if files > CatalogLimits.maxFiles { throw .entryRefused(entry: name, reason: .tooManyFiles(limit: CatalogLimits.maxFiles)) }
                bytes += entry.uncompressedSize
                if bytes > UInt64(CatalogLimits.maxPackageBytes) {
                    throw .entryRefused(entry: name, reason: .tooLarge(limit: CatalogLimits.maxPackageBytes))
                }
            }
            planned.append(Planned(entry: entry, components: components))
        }

        guard position == rawTypes.count else {
            throw .unsupportedSource(path: archiveURL.path, reason: "the ZIP central directory lists \(rawTypes.count) entries, \(position) were read")
        }

        // Pass 2: write.
        var written: Int64 = 0
        for item in planned {
            switch item.entry.type {
            case .symlink: throw .entryRefused(entry: item.entry.path, reason: .link(target: nil))
            case .directory:
                try PublishFiles.makeFolders(base: destination, components: item.components)
            case .file:
                try PublishFiles.makeFolders(base: destination, components: Array(item.components.dropLast()))
                let path = destination + "/" + item.components.joined(separator: "/")
                let fd = try PublishFiles.createFile(path)
                defer { close(fd) }
                var refusal: EntryRefusal?
                var writeFailure: SystemCallError?
                var entryBytes: UInt64 = 0
                let checksum: CRC32
                do {
                    checksum = try archive.extract(item.entry, skipCRC32: false) { data in
                        // ZIPFoundation inflates until the compressed data ends, whatever the header said.
                        entryBytes += UInt64(data.count)
                        written += Int64(data.count)
                        if entryBytes > item.entry.uncompressedSize {
                            refusal = .exceedsDeclaredSize(declared: item.entry.uncompressedSize)
                        } else if written > CatalogLimits.maxPackageBytes {
                            refusal = .tooLarge(limit: CatalogLimits.maxPackageBytes)
                        }
                        if refusal != nil { throw CocoaError(.fileWriteOutOfSpace) }
                        writeFailure = data.withUnsafeBytes { raw -> SystemCallError? in
                            do throws(SystemCallError) { try FileTree.writeAll(fd, raw, path: path) } catch { return error }
                            return nil
                        }
                        if writeFailure != nil { throw CocoaError(.fileWriteUnknown) }
                    }
                } catch {
                    if let refusal { throw .entryRefused(entry: item.entry.path, reason: refusal) }
                    if let writeFailure { throw .io("cannot write \(path): \(writeFailure.reason)") }
                    throw .unsupportedSource(path: archiveURL.path, reason: "entry \(PublishError.quoted(item.entry.path)) cannot be read (\(error))")
                }
                if checksum != item.entry.checksum {
                    throw .unsupportedSource(path: archiveURL.path, reason: "entry \(PublishError.quoted(item.entry.path)) fails its CRC-32 check")
                }
            }
        }
    }

    /// The refusal for a Unix type that is neither a file, a folder nor a link.
    private static func special(_ type: UInt32) -> EntryRefusal? {
        switch type {
        case 0o020000: .device("a character device")
        case 0o060000: .device("a block device")
        case 0o010000: .device("a FIFO")
        case 0o140000: .device("a socket")
        case 0, 0o100000, 0o040000, 0o120000: nil
        default: .device("a special file")
        }
    }
}
