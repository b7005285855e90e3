public import Placement

/// How the status loop runs.
public struct StatusLoopSettings: Sendable {
    /// Roots reconciled at once (each root by one worker at a time).
    public var workers = 4
    /// Every root is reconciled again this often, whatever happened.
    public var resyncPeriod: Duration = .seconds(10 * 3600)
    /// A leaf whose root does not exist is deleted once it has been seen
    /// orphaned this long (a root whose create is still in flight keeps its
    /// new leaves).
    public var orphanGracePeriod: Duration = .seconds(30)
    /// With the xDS server on, Envoy is every root's entry point: an
    /// Ingress reports the status host under this domain instead of its
    /// leaves' addresses. Nil without the xDS server.
    public var statusHostDomain: String?
    /// With the xDS server on: whether Envoy routes each root yet. A root
    /// reports itself reachable only once it does.
    public var routing: (any RoutingStates)?

    public init() {}
}
