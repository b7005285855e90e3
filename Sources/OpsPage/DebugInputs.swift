public import KubeAPI
public import Placement
public import XDS

/// Everything the page is built from, read at once: the informers'
/// objects, what each connected Envoy holds, and the process's own state.
public struct DebugInputs: Sendable {
    public var version: String
    public var leader: Bool?
    public var informersSynced: Bool
    public var queueDepth: Int?
    public var streams: [XDSStreamRegistry.Stream]
    /// Every object of each kind in the informers' stores, roots and leaves.
    public var objects: [RootKind: [JSON]]
    /// A root's routing state; nil without the xDS server.
    public var routing: (@Sendable (RootIdentity) -> RoutingState)?
    /// How long a root's last change took to reach the first Envoy ACK.
    public var programmed: @Sendable (RootIdentity) -> Duration?

    public init(
        version: String,
        leader: Bool?,
        informersSynced: Bool,
        queueDepth: Int?,
        streams: [XDSStreamRegistry.Stream],
        objects: [RootKind: [JSON]],
        routing: (@Sendable (RootIdentity) -> RoutingState)?,
        programmed: @escaping @Sendable (RootIdentity) -> Duration? = { _ in nil }
    ) {
        self.version = version
        self.leader = leader
        self.informersSynced = informersSynced
        self.queueDepth = queueDepth
        self.streams = streams
        self.objects = objects
        self.routing = routing
        self.programmed = programmed
    }
}
