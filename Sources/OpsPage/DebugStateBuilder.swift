import KubeAPI
import Placement
import XDS

/// Builds the page's model from its inputs: every root is looked at for the
/// filter and the per-cluster counts, but only the roots of the page asked
/// for are described in full, so a page costs about the same at 100 roots
/// as at 10,000.
public enum DebugStateBuilder {
    public static let pageSize = 100

    public static func build(_ inputs: DebugInputs, filter: DebugState.Filter, page: Int) -> DebugState {
        var roots: [(identity: RootIdentity, object: JSON, clusters: [String])] = []
        var leaves: [RootIdentity: [JSON]] = [:]
        var gateways: [String: Set<GatewayAddress>] = [:]
        for (kind, objects) in inputs.objects {
            for object in objects {
                // Field look-ups, not whole label and annotation maps: this
                // runs for every object of a 10,000-root fleet on each request.
                let metadata = object["metadata"]
                if let cluster = metadata?["labels"]?[PlacementLabels.cluster]?.stringValue {
                    // Only a Route's addresses depend on its hosts.
                    let hosts = kind == .route ? Set(kind.hosts(of: object).compactMap(HostNames.normalized)) : []
                    gateways[cluster, default: []].formUnion(
                        LeafAddresses.addresses(of: object, kind: kind, rootHosts: hosts))
                    if let owner = metadata?["labels"]?[PlacementLabels.ownedBy]?.stringValue {
                        let key = ObjectKey(of: object).sibling(named: owner)
                        leaves[RootIdentity(kind: kind, key: key), default: []].append(object)
                    }
                } else {
                    let annotation = metadata?["annotations"]?[PlacementLabels.clustersAnnotation]?.stringValue ?? ""
                    let clusters = annotation.split(separator: ",").map(String.init)
                    roots.append((RootIdentity(kind: kind, key: ObjectKey(of: object)), object, clusters))
                }
            }
        }
        // Sorted by position, so that the sort moves integers, not objects.
        let identities = roots.map(\.identity)
        let order = identities.indices.sorted { identities[$0] < identities[$1] }

        var rootsPerCluster: [String: Int] = [:]
        for root in roots { for cluster in root.clusters { rootsPerCluster[cluster, default: 0] += 1 } }

        var matching: [(identity: RootIdentity, object: JSON, clusters: [String], routing: RoutingState?)] = []
        for index in order {
            let root = roots[index]
            if let namespace = filter.namespace, root.identity.key.namespace != namespace { continue }
            if let kind = filter.kind, root.identity.kindName != kind { continue }
            if let cluster = filter.cluster, !root.clusters.contains(cluster) { continue }
            let routing = inputs.routing?(root.identity)
            // Not ready: some Envoy does not hold its routes yet, or refused them.
            if filter.notReady, routing == nil || routing == .routed { continue }
            matching.append((root.identity, root.object, root.clusters, routing))
        }
        let pages = max(1, (matching.count + pageSize - 1) / pageSize)
        let number = min(max(page, 1), pages)
        let shown = matching.dropFirst((number - 1) * pageSize).prefix(pageSize)

        return DebugState(
            version: inputs.version, leader: inputs.leader, informersSynced: inputs.informersSynced,
            queueDepth: inputs.queueDepth,
            envoys: inputs.streams.sorted { $0.id < $1.id }.map(envoy),
            filter: filter,
            page: DebugState.Page(
                number: number, size: pageSize, pages: pages, matching: matching.count, total: roots.count),
            roots: shown.map { root in
                describe(
                    root.identity, root.object, clusters: root.clusters, routing: root.routing,
                    leaves: leaves[root.identity] ?? [], programmed: inputs.programmed(root.identity),
                    xds: inputs.routing != nil)
            },
            clusters: Set(rootsPerCluster.keys).union(gateways.keys).sorted().map { name in
                let addresses = (gateways[name] ?? []).sorted()
                return DebugState.PhysicalCluster(
                    name: name, gateways: addresses.map(\.description),
                    envoyCluster: GatewayCluster(endpoints: addresses)?.name, roots: rootsPerCluster[name] ?? 0)
            })
    }

    private static func envoy(_ stream: XDSStreamRegistry.Stream) -> DebugState.Envoy {
        DebugState.Envoy(
            node: stream.nodeID, stream: stream.id, mode: stream.delta ? "delta" : "sotw",
            acked: Dictionary(uniqueKeysWithValues: stream.acceptedVersionInfo.map { ($0.key.shortName, $0.value) }),
            rejected: Dictionary(uniqueKeysWithValues: stream.rejections.map { ($0.key.shortName, $0.value) }))
    }

    private static func describe(
        _ identity: RootIdentity, _ object: JSON, clusters: [String], routing: RoutingState?, leaves: [JSON],
        programmed: Duration?, xds: Bool
    ) -> DebugState.Root {
        let kind = identity.kind
        let hosts = Set(kind.hosts(of: object).compactMap(HostNames.normalized))
        let (state, detail): (String, String?) =
            switch routing {
            case .routed: ("programmed", nil)
            case .pending(let why): ("pending", why)
            case .rejected(let why): ("rejected", why)
            case nil: xds ? ("programmed", nil) : ("unknown", "the xDS server is off (-envoyxds)")
            }
        return DebugState.Root(
            kind: kind.type.kind, namespace: identity.key.namespace, name: identity.key.name,
            hosts: kind.hosts(of: object), clusters: clusters,
            leaves: leaves.map { leaf in
                DebugState.Leaf(
                    name: ObjectKey(of: leaf).name,
                    cluster: ObjectMeta(json: leaf["metadata"] ?? [:]).labels[PlacementLabels.cluster] ?? "",
                    status: StatusLine.of(leaf, kind: kind),
                    gateways: LeafAddresses.addresses(of: leaf, kind: kind, rootHosts: hosts).map(\.description))
            }.sorted { ($0.cluster, $0.name) < ($1.cluster, $1.name) },
            status: StatusLine.of(object, kind: kind), routing: state, routingDetail: detail,
            programmedSeconds: programmed?.inSeconds)
    }
}
