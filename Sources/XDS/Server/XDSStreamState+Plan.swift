import Foundation
import SwiftProtobuf

extension XDSStreamState {
    /// The responses to send now, in type order: clusters first, removals
    /// of clusters only once no route Envoy may hold still names them.
    public mutating func responses(for snapshot: XDSSnapshot) -> [XDSResponse] {
        var targets: [ResourceType: [String: TypeState.Held]] = [:]
        var waiting: Set<ResourceType> = []
        let ackedClusters = Set(types[.cluster]!.held.keys)
        let gating = types[.cluster]!.subscribed
        // Only types that can be answered now: with 10,000 virtual hosts, a
        // target is the costly part of every event.
        for type in ResourceType.allCases where type != .cluster && canSend(type) {
            let (target, held) = target(type, snapshot: snapshot, ackedClusters: gating ? ackedClusters : nil)
            targets[type] = target
            if held { waiting.insert(type) }
        }
        if canSend(.cluster) { targets[.cluster] = clusterTarget(snapshot: snapshot) }
        var responses: [XDSResponse] = []
        for type in ResourceType.allCases {
            guard let target = targets[type] else { continue }
            // An empty answer to a first request would let Envoy activate
            // its listener with no routes: wait for the clusters instead.
            if target.isEmpty, waiting.contains(type) { continue }
            if let response = response(type, target: target, snapshot: snapshot) {
                responses.append(response)
            }
        }
        return responses
    }

    /// What Envoy should hold of a route-side type: the snapshot's
    /// resources, except those naming a cluster Envoy has not ACKed yet,
    /// which stay at the version Envoy holds (or wait, if it holds none).
    /// Also says whether any resource is held back.
    private func target(
        _ type: ResourceType, snapshot: XDSSnapshot, ackedClusters: Set<String>?
    ) -> (target: [String: TypeState.Held], heldBack: Bool) {
        let state = types[type]!
        let resources = snapshot.resources(type, delta: delta)
        var target: [String: TypeState.Held] = [:]
        target.reserveCapacity(resources.count)
        var heldBack = false
        // Every cluster the snapshot's routes name is ACKed: none waits.
        let noneWaits = ackedClusters.map { snapshot.routeClusters.isSubset(of: $0) } ?? true
        for (name, snapshotResource) in resources where state.includes(name) {
            var resource = snapshotResource
            if state.refused[name] == resource.version {
                // Refused as it is: Envoy keeps what it has.
                if let held = state.held[name] { target[name] = held }
                continue
            }
            var spared = false
            if !state.refusedVirtualHosts.isEmpty, let kept = sparing(state, resource, snapshot: snapshot) {
                resource = kept
                spared = true
            }
            if !noneWaits || spared, let ackedClusters, !resource.clusters.isSubset(of: ackedClusters) {
                heldBack = true
                if let held = state.held[name] { target[name] = held }
            } else {
                target[name] = TypeState.Held(resource)
            }
        }
        return (target, heldBack)
    }

    /// A state-of-the-world route configuration without the virtual hosts
    /// Envoy refused: each at the version Envoy holds, or left out; nil when
    /// none of them is in it.
    private func sparing(_ state: TypeState, _ resource: XDSResource, snapshot: XDSSnapshot) -> XDSResource? {
        let refused = resource.virtualHosts.filter { state.refusedVirtualHosts[$0.key] == $0.value }
        guard !refused.isEmpty, let fresh = InlineRouteConfiguration.virtualHosts(in: resource.body.value) else {
            return nil
        }
        let heldConfiguration = state.held[resource.name]?.resource
        let heldHosts = heldConfiguration.flatMap { InlineRouteConfiguration.virtualHosts(in: $0.body.value) } ?? []
        let heldBytes = Dictionary(heldHosts.map { ($0.name, $0.bytes) }, uniquingKeysWith: { first, _ in first })
        var kept: [Data] = []
        var versions: [String: String] = [:]
        var clusters = Set<String>()
        for host in fresh {
            if refused[host.name] != nil {
                guard let old = heldBytes[host.name], let version = heldConfiguration?.virtualHosts[host.name] else {
                    continue
                }
                kept.append(old)
                versions[host.name] = version
                clusters.formUnion(heldConfiguration?.clusters ?? [])
            } else {
                kept.append(host.bytes)
                versions[host.name] = resource.virtualHosts[host.name]
                clusters.formUnion(snapshot.virtualHosts[host.name]?.clusters ?? resource.clusters)
            }
        }
        var body = resource.body
        body.value = InlineRouteConfiguration.encode(name: resource.name, virtualHosts: kept)
        return XDSResource(
            name: resource.name, body: body,
            version: ContentHash.hex(ordered: [resource.name] + fresh.compactMap { versions[$0.name] }),
            clusters: clusters, virtualHosts: versions)
    }

    /// Whether a response of `type` could go out now.
    private func canSend(_ type: ResourceType) -> Bool {
        let state = types[type]!
        return state.subscribed && state.inFlight == nil
    }

    /// The snapshot's clusters, plus every cluster that a route Envoy holds
    /// or has been sent still names. (A route about to be sent names only
    /// clusters of the snapshot or ones Envoy holds: routes wait for them.)
    private func clusterTarget(snapshot: XDSSnapshot) -> [String: TypeState.Held] {
        let state = types[.cluster]!
        var target = snapshot.clusters.filter { state.includes($0.key) }.mapValues(TypeState.Held.init)
        var inUse: Set<String> = []
        for type in ResourceType.allCases where type != .cluster {
            let routeState = types[type]!
            inUse.formUnion(routeState.heldClusters)
            inUse.formUnion(routeState.inFlight?.clusters ?? [])
        }
        for name in inUse where target[name] == nil {
            let kept = state.inFlight?.target[name] ?? state.held[name]
            if let kept, kept.resource != nil || delta { target[name] = kept }
        }
        return target
    }

    private mutating func response(
        _ type: ResourceType, target: [String: TypeState.Held], snapshot: XDSSnapshot
    ) -> XDSResponse? {
        var state = types[type]!
        guard state.subscribed, state.inFlight == nil else { return nil }
        let versions = target.mapValues(\.version)
        guard versions != state.rejected || state.needsResponse else { return nil }
        let response: XDSResponse
        if delta {
            let changed = target.filter { state.held[$0.key]?.version != $0.value.version }.compactMap(\.value.resource)
            var removed = state.held.keys.filter { target[$0] == nil }
            // Names asked for that do not exist are reported once.
            let missing = state.names.filter {
                state.namesResource($0) && target[$0] == nil && state.held[$0] == nil
                    && !state.reportedMissing.contains($0)
            }
            state.reportedMissing.formUnion(missing)
            removed += missing
            if type == .virtualHost, state.needsResponse, changed.isEmpty, removed.isEmpty, state.held.isEmpty {
                // Envoy's VHDS watch hears only of names inside its route
                // configuration's namespace (`<rc>/…`): a first answer that
                // names nothing never reaches it, and Envoy waits out its
                // initial fetch timeout (15 s) before it is ready. Saying
                // that `<rc>/` does not exist completes that first fetch.
                let namespaces = state.names.filter { !state.namesResource($0) }
                let configurations =
                    namespaces.isEmpty
                    ? Array(snapshot.resources(.routeConfiguration, delta: true).keys) : Array(namespaces)
                removed = configurations.sorted().map { $0 + "/" }
            }
            guard !changed.isEmpty || !removed.isEmpty || state.needsResponse else { return nil }
            response = XDSResponse(
                type: type, versionInfo: String(snapshot.sequence), nonce: nextNonce(),
                resources: changed.sorted { $0.name < $1.name }, removed: removed.sorted())
        } else {
            guard versions != state.heldVersions || state.needsResponse else { return nil }
            response = XDSResponse(
                type: type, versionInfo: ContentHash.hex(versions: versions), nonce: nextNonce(),
                resources: target.values.compactMap(\.resource).sorted { $0.name < $1.name })
        }
        state.inFlight = TypeState.InFlight(nonce: response.nonce, target: target, version: response.versionInfo)
        state.lastNonce = response.nonce
        state.needsResponse = false
        types[type] = state
        return response
    }
}
