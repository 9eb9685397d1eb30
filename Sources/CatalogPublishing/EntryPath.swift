/// Checks the name of an archive entry before anything is extracted.
enum EntryPath {
    /// The safe components of `raw` (`./a/b/` gives `["a", "b"]`, `./` gives `[]`).
    /// Refuses absolute names, `..` components, empty names, NUL and control characters, and
    /// (unless `allowBackslash`, for tar listings that escape names) backslashes.
    static func components(_ raw: String, allowBackslash: Bool = false) throws(PublishError) -> [String] {
        guard !raw.isEmpty else { throw .entryRefused(entry: raw, reason: .badName) }
        if raw.hasPrefix("/") { throw .entryRefused(entry: raw, reason: .absolutePath) }
        let parts = raw.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        // `..` first: it is the attack; a bad character is only a bad name.
        if parts.contains("..") { throw .entryRefused(entry: raw, reason: .parentComponent) }
        if raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || (!allowBackslash && $0 == "\\") }) {
            throw .entryRefused(entry: raw, reason: .badName)
        }
        return parts.filter { $0 != "." }
    }
}
