public import KubeAPI
public import Placement

/// Which root a piece of Envoy configuration came from: its kind and its
/// key (logical cluster, namespace, name).
public struct RootIdentity: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: RootKind
    public var key: ObjectKey

    public init(kind: RootKind, key: ObjectKey) {
        self.kind = kind
        self.key = key
    }

    /// `ingress`, `httproute` or `route`.
    public var kindName: String {
        // Literals: this is compared on every step of sorting 10,000 roots.
        switch kind {
        case .ingress: "ingress"
        case .httpRoute: "httproute"
        case .route: "route"
        }
    }

    public var description: String { "\(kindName) \(key)" }

    public static func < (lhs: RootIdentity, rhs: RootIdentity) -> Bool {
        (lhs.key, lhs.kindName) < (rhs.key, rhs.kindName)
    }
}
