/// Finds the template a raw path names, on its bytes: one walk over the path's segments per trie
/// tried, no backtracking within one, no `String` made but the parameters' values.
///
/// Segments are split before percent-decoding, so an encoded `/` stays inside its segment (and is
/// then refused as a slug), never becomes a separator. Templates are grouped by segment count; at
/// each segment a literal that matches wins over a parameter (`shared/{share_id}` over
/// `{slug}/info`, `metrics/pool` over `{slug}/…`), and a path that fits no literal and no parameter
/// there matches nothing. A path no such template takes is then tried against the templates ending
/// in ``restParameter`` (`{slug}/files/{path}`), whose last value is the rest of the path.
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
    /// Templates ending in ``restParameter``, one trie per count of segments before it.
    private let restRoots: [(count: Int, node: Node)]
    let leaves: [Leaf]

    /// A template's last parameter under this name takes the rest of the path, `/`s included,
    /// still percent-encoded: its handler decodes each segment (an encoded `/` must stay refusable).
    static let restParameter = "{path}"

    init(routes: [(method: String, template: String)]) {
        var leaves: [Leaf] = []
        var roots: [Node] = []
        var restRoots: [(count: Int, node: Node)] = []
        for (index, (method, template)) in routes.enumerated() {
            precondition(template.hasPrefix(Self.prefix), "\(template) is not under \(Self.prefix)")
            var parts = template.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            var node: Node
            if parts.last == Substring(Self.restParameter) {
                parts.removeLast()
                if let root = restRoots.first(where: { $0.count == parts.count })?.node { node = root } else {
                    node = Node()
                    restRoots.append((parts.count, node))
                }
            } else {
                while roots.count <= parts.count { roots.append(Node()) }
                node = roots[parts.count]
            }
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
        self.restRoots = restRoots.sorted { $0.count < $1.count }
        self.leaves = leaves
    }

    /// An empty id reaches its route (which refuses it, as a share or user it does not know); an
    /// empty slug or module was never routed.
    private static func allowsEmpty(_ name: String) -> Bool { name != "slug" && name != "module" && name != "grant" }

    func match(path: String) -> Match? {
        let bytes = path.utf8
        guard bytes.starts(with: Self.prefix.utf8) else { return nil }
        let start = bytes.index(bytes.startIndex, offsetBy: Self.prefix.utf8.count)
        // Count the segments first (the trie to walk depends on it), then walk them; splitting on
        // the byte `/` (never inside a multi-byte character) without building an array.
        var count = 1
        for byte in bytes[start...] where byte == UInt8(ascii: "/") { count += 1 }
        if count < roots.count, let (node, parameters, _) = walk(roots[count], bytes, from: start, segments: count),
           let leaf = node.leaf {
            return Match(leaf: leaves[leaf], parameters: parameters)
        }
        // Only a path no fixed template takes may name a file: a rest template never shadows one.
        for (prefixCount, root) in restRoots where prefixCount < count {
            guard let found = walk(root, bytes, from: start, segments: prefixCount),
                  let leaf = found.node.leaf, found.next < bytes.endIndex else { continue }
            var parameters = found.parameters
            parameters.append(String(Self.restParameter.dropFirst().dropLast()), String(Substring(bytes[found.next...])))
            return Match(leaf: leaves[leaf], parameters: parameters)
        }
        return nil
    }

    /// Walks `segments` segments from `start` down `root`: the node reached, the parameters met
    /// (percent-decoded) and where the next segment starts (the end when none follows).
    private func walk(_ root: Node, _ bytes: String.UTF8View, from start: String.Index, segments: Int)
        -> (node: Node, parameters: RouteParameters, next: String.Index)? {
        var node = root
        var parameters = RouteParameters()
        var segmentStart = start
        for _ in 0..<segments {
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
            segmentStart = segmentEnd == bytes.endIndex ? segmentEnd : bytes.index(after: segmentEnd)
        }
        return (node, parameters, segmentStart)
    }
}

/// A route's parameters by name: templates have at most three, kept inline (no array, no dictionary).
struct RouteParameters: Sendable {
    private var first: (name: String, value: String)?
    private var second: (name: String, value: String)?
    private var third: (name: String, value: String)?

    mutating func append(_ name: String, _ value: String) {
        if first == nil { first = (name, value) } else if second == nil { second = (name, value) } else {
            precondition(third == nil, "a template has at most three parameters")
            third = (name, value)
        }
    }

    func value(_ name: String) -> String? {
        if let first, first.name == name { return first.value }
        if let second, second.name == name { return second.value }
        if let third, third.name == name { return third.value }
        return nil
    }
}
