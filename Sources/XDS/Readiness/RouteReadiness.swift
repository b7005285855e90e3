public import KubeAPI
public import Placement
import Synchronization

/// Whether every connected Envoy holds each root's current routes: the
/// routing state the status loop waits for before a root reports itself
/// reachable, and the clock of `kcp_ingress_route_programmed_seconds`.
///
/// It sees the Envoys connected to this replica; a replica that writes
/// status (the leader) therefore speaks for the Envoys it serves.
public final class RouteReadiness: RoutingStates {
    private struct State {
        var virtualHostOfRoot: [RootIdentity: String] = [:]
        var versions: [String: String] = [:]
        var withoutGateway: Set<RootIdentity> = []
        var states: [RootIdentity: RoutingState] = [:]
        /// The state `state(of:)` last answered for each root, until the
        /// next `changedRoots()` compares it with the truth.
        var answered: [RootIdentity: RoutingState] = [:]
        /// Counts `changedRoots()` runs.
        var judgements: UInt64 = 0
    }

    private let registry: XDSStreamRegistry
    private let state = Mutex(State())
    let clock = ProgrammingClock()
    private let published: AsyncStream<Void>.Continuation
    private let publications: AsyncStream<Void>

    public init(registry: XDSStreamRegistry) {
        self.registry = registry
        (publications, published) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Until cancelled: after each new snapshot and each change in what the
    /// Envoys hold, hands `onChange` the roots whose routing state changed.
    public func run(onChange: @escaping @Sendable ([RootIdentity]) async -> Void) async {
        let changes = registry.changes()
        await withDiscardingTaskGroup { group in
            let (events, event) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            group.addTask { for await _ in changes { event.yield() } }
            group.addTask { for await _ in self.publications { event.yield() } }
            group.addTask {
                for await _ in events {
                    let changed = self.changedRoots()
                    if !changed.isEmpty { await onChange(changed) }
                }
            }
        }
    }

    /// The state now. What it answers is remembered: the status loop writes
    /// it, so if the next judgement finds otherwise (a response was in
    /// flight when the status loop asked, and ACKed before the judgement
    /// ran), the root counts as changed and the status loop asks again.
    public func state(of kind: RootKind, _ key: ObjectKey) -> RoutingState {
        let root = RootIdentity(kind: kind, key: key)
        let (name, version, withoutGateway, judgements) = state.withLock { state in
            let name = state.virtualHostOfRoot[root]
            return (
                name, name.flatMap { state.versions[$0] }, state.withoutGateway.contains(root), state.judgements
            )
        }
        // A root without a virtual host gives Envoy nothing to hold.
        guard let name, let version else { return .routed }
        let answer = Self.state(
            of: name, version: version, withoutGateway: withoutGateway, streams: registry.streams)
        let judgedMeanwhile = state.withLock { state in
            state.answered[root] = answer
            return state.judgements != judgements
        }
        // A judgement that ran between the computation and the note above
        // could not compare with this answer: have another.
        if judgedMeanwhile { published.yield() }
        return answer
    }

    /// Every root's state as last judged, with no side effect (what the
    /// operator's page reads); a root missing here has no virtual host, or
    /// none judged yet.
    public func judgedStates() -> [RootIdentity: RoutingState] {
        state.withLock { $0.states }
    }

    /// How long each root's last change took, from admission to the first Envoy ACK.
    public func lastProgrammed() -> [RootIdentity: Duration] { clock.lastProgrammed() }

    public func statusReported(_ kind: RootKind, _ key: ObjectKey) {
        clock.statusWritten(RootIdentity(kind: kind, key: key))
    }

    /// A root change was admitted (its leaves written): the clock starts.
    public func admitted(_ kind: RootKind, _ key: ObjectKey) {
        let root = RootIdentity(kind: kind, key: key)
        let version = state.withLock { state in state.virtualHostOfRoot[root].flatMap { state.versions[$0] } }
        clock.admitted(root, version: version)
    }

    /// The snapshot now published: the versions Envoy must hold.
    public func update(_ rendered: RenderedSnapshot) {
        state.withLock { state in
            state.virtualHostOfRoot = rendered.virtualHostOfRoot
            state.versions = rendered.versions
            state.withoutGateway = rendered.rootsWithoutGateway
        }
        clock.retain(rendered.virtualHostOfRoot)
        published.yield()
    }

    /// Recomputes every root's state and returns those that changed.
    public func changedRoots() -> [RootIdentity] {
        let streams = registry.streams
        let (hosts, versions, withoutGateway) = state.withLock {
            ($0.virtualHostOfRoot, $0.versions, $0.withoutGateway)
        }
        // Judged once per root: 10,000 roots, each against the streams that ask for routes.
        let routing = streams.filter(\.routesSubscribed)
        var next: [RootIdentity: RoutingState] = [:]
        next.reserveCapacity(hosts.count)
        for (root, name) in hosts {
            guard let version = versions[name] else { continue }
            next[root] = Self.judge(
                name, version: version, withoutGateway: withoutGateway.contains(root), routing: routing)
        }
        // The clock waits on a few roots at most: look at those alone.
        for root in clock.waiting() {
            guard let name = hosts[root], let version = versions[name] else { continue }
            if streams.contains(where: { $0.acceptedVirtualHosts[name] == version }) {
                clock.acked(root, version: version)
            }
        }
        return state.withLock { state in
            // Look-ups only: no sets of every root built and united on each
            // judgement. A root counts once: `told` adds only those whose
            // state did not change, which the first pass did not take.
            var changed: [RootIdentity] = []
            for (root, now) in next where state.states[root] != now { changed.append(root) }
            for root in state.states.keys where next[root] == nil { changed.append(root) }
            // Roots the status loop was told something else about meanwhile.
            let told = state.answered.filter { next[$0.key] != $0.value && state.states[$0.key] == next[$0.key] }
            changed += told.keys
            state.answered = [:]
            state.states = next
            state.judgements &+= 1
            return changed
        }
    }

    static func state(
        of name: String, version: String, withoutGateway: Bool = false, streams: [XDSStreamRegistry.Stream]
    ) -> RoutingState {
        judge(name, version: version, withoutGateway: withoutGateway, routing: streams.filter(\.routesSubscribed))
    }

    /// The state of one virtual host, given the streams that ask for routes.
    private static func judge(
        _ name: String, version: String, withoutGateway: Bool, routing: [XDSStreamRegistry.Stream]
    ) -> RoutingState {
        guard !routing.isEmpty else { return .pending("no Envoy is connected to the xDS server yet") }
        if let refusing = routing.first(where: { $0.rejectedVirtualHosts.contains(name) }) {
            let error = refusing.rejections[.virtualHost] ?? refusing.rejections[.routeConfiguration] ?? "rejected"
            return .rejected("Envoy \(refusing.nodeID) rejected the routes: \(error)")
        }
        let holding = routing.filter { $0.acceptedVirtualHosts[name] == version }.count
        guard holding == routing.count else {
            return .pending("\(holding) of \(routing.count) Envoys route the current version")
        }
        // Envoy holds it, but every request would get a 503.
        if withoutGateway { return .pending("no cluster serving it has reported a gateway address yet") }
        return .routed
    }
}
