/// Finds the template a raw path names, on its bytes: one walk over the path's segments, no
/// backtracking, no `String` made but the parameters' values.
///
/// Segments are split before percent-decoding, so an encoded `/` stays inside its segment (and is
/// then refused as a slug), never becomes a separator. Templates are grouped by segment count; at
/// each segment a literal that matches wins over a parameter (`shared/{share_id}` over
/// `{slug}/info`, `metrics/pool` over `{slug}/…`), and a path that fits no literal and no parameter
/// there matches nothing.
struct RouteMatcher: Sendable {
    static let prefix = "/api/plugins/"

    /// What a matched path leads to: every endpoint with this template (one per method).
    struct Match {
        let leaf: Leaf
        let parameters: RouteParameters
    }

    struct Leaf: Sendable {
        let template: String
        /// Indices into the endpoint list, in its order.
        var endpoints: [Int]
        /// The endpoints' methods, in the same order: the method check reads these, not the
        /// endpoints themselves (copying an `Endpoint` retains its strings and handler).
        var methods: [String]

        /// The endpoint this method selects, if any.
        func endpoint(for method: String) -> Int? {
            for i in methods.indices where methods[i] == method { return endpoints[i] }
            return nil
        }
    }

    private final class Node: @unchecked Sendable {  // built once in init, read-only afterwards
        var literals: [(bytes: [UInt8], node: Node)] = []
        var parameter: (name: String, allowsEmpty: Bool, node: Node)?
        var leaf: Int?
    }

    /// One trie per segment count (index = count).
    private let roots: [Node]
    let leaves: [Leaf]

    init(routes: [(method: String, template: String)]) {
        var leaves: [Leaf] = []
        var roots: [Node] = []
        for (index, (method, template)) in routes.enumerated() {
            precondition(template.hasPrefix(Self.prefix), "\(template) is not under \(Self.prefix)")
            let parts = template.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            while roots.count <= parts.count { roots.append(Node()) }
            var node = roots[parts.count]
            for part in parts {
                if part.hasPrefix("{") && part.hasSuffix("}") {
                    let name = String(part.dropFirst().dropLast())
                    if let existing = node.parameter {
                        precondition(existing.name == name, "\(template): {\(name)} where another template has {\(existing.name)}")
                        node = existing.node
                    } else {
                        let child = Node()
                        node.parameter = (name, Self.allowsEmpty(name), child)
                        node = child
                    }
                } else if let existing = node.literals.first(where: { $0.bytes.elementsEqual(part.utf8) }) {
                    node = existing.node
                } else {
                    let child = Node()
                    node.literals.append((Array(part.utf8), child))
                    node = child
                }
            }
            if let leaf = node.leaf {
                precondition(!leaves[leaf].methods.contains(method), "\(method) \(template) is declared twice")
                leaves[leaf].endpoints.append(index)
                leaves[leaf].methods.append(method)
            } else {
                node.leaf = leaves.count
                leaves.append(Leaf(template: template, endpoints: [index], methods: [method]))
            }
        }
        self.roots = roots
        self.leaves = leaves
    }

    /// An empty id reaches its route (which refuses it, as a share or user it does not know); an
    /// empty slug or module was never routed.
    private static func allowsEmpty(_ name: String) -> Bool { name != "slug" && name != "module" }

    func match(path: String) -> Match? {
        let bytes = path.utf8
        guard bytes.starts(with: Self.prefix.utf8) else { return nil }
        let start = bytes.index(bytes.startIndex, offsetBy: Self.prefix.utf8.count)
        // Count the segments first (the trie to walk depends on it), then walk them; splitting on
        // the byte `/` (never inside a multi-byte character) without building an array.
        var count = 1
        for byte in bytes[start...] where byte == UInt8(ascii: "/") { count += 1 }
        guard count < roots.count else { return nil }
        var node = roots[count]
        var parameters = RouteParameters()
        var segmentStart = start
        while true {
            let segmentEnd = bytes[segmentStart...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
            let segment = bytes[segmentStart..<segmentEnd]
            if let literal = node.literals.first(where: { $0.bytes.elementsEqual(segment) }) {
                node = literal.node
            } else if let parameter = node.parameter, parameter.allowsEmpty || !segment.isEmpty {
                let raw = String(Substring(segment))
                // An undecodable segment still routes: the slug check then answers 400, not 404.
                parameters.append(parameter.name, percentDecode(raw) ?? raw)
                node = parameter.node
            } else {
                return nil
            }
            if segmentEnd == bytes.endIndex { break }
            segmentStart = bytes.index(after: segmentEnd)
        }
        guard let leaf = node.leaf else { return nil }
        return Match(leaf: leaves[leaf], parameters: parameters)
    }
}

/// A route's parameters by name: templates have at most two, kept inline (no array, no dictionary).
struct RouteParameters: Sendable {
    private var first: (name: String, value: String)?
    private var second: (name: String, value: String)?

    mutating func append(_ name: String, _ value: String) {
        if first == nil { first = (name, value) } else {
            precondition(second == nil, "a template has at most two parameters")
            second = (name, value)
        }
    }

    func value(_ name: String) -> String? {
        if let first, first.name == name { return first.value }
        if let second, second.name == name { return second.value }
        return nil
    }
}
