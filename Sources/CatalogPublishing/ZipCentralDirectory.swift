import Foundation

/// Reads the file-type bits of each central-directory record of a ZIP archive, in order.
/// ZIPFoundation's public `Entry.type` folds a device, FIFO or socket into `.file` (and its
/// `posixPermissions` masks the type bits), so the extractor asks this reader which entries a
/// Unix archiver marked as special files, to refuse them by name.
enum ZipCentralDirectory {
    /// Type bits (`mode & S_IFMT`) per record, 0 when the archiver was not Unix or macOS.
    /// Nil when the directory cannot be found or read.
    static func fileTypes(of url: URL) -> [UInt32]? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 22 else { return nil }

        // End of central directory: 22 bytes plus a comment of at most 65535 bytes.
        let tailLength = min(size, 22 + 65_535)
        guard let tail = read(handle, at: size - tailLength, count: Int(tailLength)) else { return nil }
        var eocd = -1
        var index = tail.count - 22
        while index >= 0 {
            if le32(tail, index) == 0x0605_4b50 { eocd = index; break }
            index -= 1
        }
        guard eocd >= 0 else { return nil }
        var count = UInt64(le16(tail, eocd + 10))
        var directorySize = UInt64(le32(tail, eocd + 12))
        var directoryOffset = UInt64(le32(tail, eocd + 16))

        // ZIP64: the locator sits just before the end record.
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            let locatorAt = eocd - 20
            guard locatorAt >= 0, le32(tail, locatorAt) == 0x0706_4b50 else { return nil }
            let recordOffset = le64(tail, locatorAt + 8)
            guard let record = read(handle, at: recordOffset, count: 56), le32(record, 0) == 0x0606_4b50 else { return nil }
            count = le64(record, 32)
            directorySize = le64(record, 40)
            directoryOffset = le64(record, 48)
        }
        if count == 0 { return [] }
        // A package holds at most a few thousand entries: refuse absurd directories early.
        guard count <= 1_000_000, directorySize <= 256 * 1_048_576, directoryOffset + directorySize <= size,
              let directory = read(handle, at: directoryOffset, count: Int(directorySize)) else { return nil }

        var types: [UInt32] = []
        var at = 0
        for _ in 0..<count {
            guard at + 46 <= directory.count, le32(directory, at) == 0x0201_4b50 else { return nil }
            let host = directory[directory.startIndex + at + 5]
            let external = le32(directory, at + 38)
            let nameLength = Int(le16(directory, at + 28))
            let extraLength = Int(le16(directory, at + 30))
            let commentLength = Int(le16(directory, at + 32))
            // 3: Unix, 19: macOS (OS X); other hosts keep no Unix mode.
            types.append(host == 3 || host == 19 ? (external >> 16) & 0o170000 : 0)
            at += 46 + nameLength + extraLength + commentLength
        }
        return types
    }

    private static func read(_ handle: FileHandle, at offset: UInt64, count: Int) -> Data? {
        do {
            try handle.seek(toOffset: offset)
            guard let data = try handle.read(upToCount: count), data.count == count else { return nil }
            return data
        } catch { return nil }
    }

    private static func le16(_ data: Data, _ at: Int) -> UInt16 {
        let i = data.startIndex + at
        return UInt16(data[i]) | UInt16(data[i + 1]) << 8
    }

    private static func le32(_ data: Data, _ at: Int) -> UInt32 {
        UInt32(le16(data, at)) | UInt32(le16(data, at + 2)) << 16
    }

    private static func le64(_ data: Data, _ at: Int) -> UInt64 {
        UInt64(le32(data, at)) | UInt64(le32(data, at + 4)) << 32
    }
}
