public import KubeAPI

/// Whether the proxies in front (Envoy, fed by the xDS server) route a
/// root's current hosts: what a root's status must wait for before it
/// tells its user the root is reachable.
public enum RoutingState: Sendable, Equatable {
    /// Every connected proxy holds the root's current routes.
    case routed
    /// Some proxy does not hold them yet.
    case pending(String)
    /// A proxy refused them; the text is its own.
    case rejected(String)

    /// The reason a waiting condition carries.
    static let pendingReason = "Pending"
    /// The reason when the proxy refused the routes.
    static let rejectedReason = "RejectedByProxy"
}

/// Tells the status loop each root's routing state; the xDS server
/// implements it, and without one every root counts as routed.
public protocol RoutingStates: Sendable {
    func state(of kind: RootKind, _ key: ObjectKey) -> RoutingState
    /// The root's status now says it is routed (written, or already so).
    func statusReported(_ kind: RootKind, _ key: ObjectKey)
}

extension RoutingState {
    /// Gates the condition `type` of each entry: a `True` that the proxies
    /// do not back yet becomes `Unknown` (pending) or `False` (rejected),
    /// with this state's reason and message. `previous` (the same entry's
    /// conditions as the root has them) keeps the transition time of a
    /// condition already gated, so an unchanged state writes nothing.
    func gate(_ conditions: [JSON], type: String, previous: [JSON], now: String) -> [JSON] {
        let (status, reason, message): (String, String, String)
        switch self {
        case .routed: return conditions
        case .pending(let text): (status, reason, message) = ("Unknown", Self.pendingReason, text)
        case .rejected(let text): (status, reason, message) = ("False", Self.rejectedReason, text)
        }
        return conditions.map { condition -> JSON in
            guard condition["type"]?.stringValue == type, condition["status"]?.stringValue == "True" else {
                return condition
            }
            var gated = condition
            gated["status"] = .string(status)
            gated["reason"] = .string(reason)
            gated["message"] = .string(message)
            let before = previous.first { $0["type"]?.stringValue == type }
            gated["lastTransitionTime"] =
                before?["status"]?.stringValue == status
                ? (before?["lastTransitionTime"] ?? .string(now)) : .string(now)
            return gated
        }
    }
}
