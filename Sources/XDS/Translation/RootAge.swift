import KubeAPI

/// The order in which roots claim hosts: oldest first.
struct RootAge: Comparable, Sendable {
    /// RFC 3339 as the API server writes it (`2026-11-20T10:15:30Z`: UTC,
    /// whole seconds), where text order is time order. Nil for a root not
    /// stored yet, which is younger than any stored one.
    var creationTimestamp: String?
    /// Breaks ties between roots created in the same second.
    var identity: RootIdentity

    init(_ source: RootSource) {
        creationTimestamp = ObjectMeta(json: source.object["metadata"] ?? [:]).creationTimestamp
        identity = source.identity
    }

    static func < (lhs: RootAge, rhs: RootAge) -> Bool {
        switch (lhs.creationTimestamp, rhs.creationTimestamp) {
        case (let left?, let right?) where left != right: left < right
        case (.some, nil): true
        case (nil, .some): false
        default: lhs.identity < rhs.identity
        }
    }
}
