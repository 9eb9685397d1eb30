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
    }

    private final class Node: @unchecked Sendable {  // built once in init, read-only afterwards
        var literals: [(bytes: [UInt8], node: Node)] = []
        var parameter: (name: String, allowsEmpty: Bool, node: Node)?
        var leaf: Int?
    }

    /// One trie per segment count (index = count).
    private let roots: [Node]
    let leaves: [Leaf]

    init(templates: [String]) {
        var leaves: [Leaf] = []
        var roots: [Node] = []
        for (index, template) in templates.enumerated() {
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
                leaves[leaf].endpoints.append(index)
            } else {
                node.leaf = leaves.count
                leaves.append(Leaf(template: template, endpoints: [index]))
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
        // Split on the byte `/` (which never occurs inside a multi-byte character).
        let segments = bytes.dropFirst(Self.prefix.utf8.count).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard segments.count < roots.count else { return nil }
        var node = roots[segments.count]
        var parameters = RouteParameters()
        for segment in segments {
            if let literal = node.literals.first(where: { $0.bytes.elementsEqual(segment) }) {
                node = literal.node
            } else if let parameter = node.parameter, parameter.allowsEmpty || !segment.isEmpty {
                let raw = String(decoding: segment, as: UTF8.self)
                // An undecodable segment still routes: the slug check then answers 400, not 404.
                parameters.append(parameter.name, percentDecode(raw) ?? raw)
                node = parameter.node
            } else {
                return nil
            }
        }
        guard let leaf = node.leaf else { return nil }
        return Match(leaf: leaves[leaf], parameters: parameters)
    }
}

/// A route's parameters by name (at most two: a handful of comparisons, no dictionary).
struct RouteParameters: Sendable {
    private var entries: [(name: String, value: String)] = []

    mutating func append(_ name: String, _ value: String) { entries.append((name, value)) }

    func value(_ name: String) -> String? { entries.first { $0.name == name }?.value }
}
