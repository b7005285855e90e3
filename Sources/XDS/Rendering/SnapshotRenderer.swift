import EnvoyAPI
import Foundation
import KubeAPI
import SwiftProtobuf

/// Turns route tables into snapshots, re-encoding only what changed: a
/// virtual host or cluster equal to the one rendered last time keeps its
/// resource (bytes and version) as it was.
///
/// Given which roots changed, a render costs those roots' virtual hosts,
/// patched into state kept sorted and keyed between renders, and one pass
/// to lay out state of the world's inline route configuration, which holds
/// every virtual host by definition.
public struct SnapshotRenderer: Sendable {
    private struct RenderedHost: Sendable {
        var model: EnvoyVirtualHost
        var resource: XDSResource
    }

    private var hosts: [String: RenderedHost] = [:]
    /// The same resources by name, as snapshots hold them, and in name order.
    private var resources: [String: XDSResource] = [:]
    private var ordered: [XDSResource] = []
    private var versions: [String: String] = [:]
    /// Gateway cluster → how many virtual hosts route to it.
    private var clusterReferences: [String: Int] = [:]
    private var virtualHostOfRoot: [RootIdentity: String] = [:]
    private var rootsWithoutGateway: Set<RootIdentity> = []
    private var routeConfigurationName: String?
    private var clusters: [String: (model: GatewayCluster, resource: XDSResource)] = [:]
    private var listener: (model: EnvoyListener, resource: XDSResource)?
    private var sequence: UInt64 = 0

    public init() {}

    /// A snapshot of `table`, and which virtual host serves each root.
    /// `changed` names every root whose virtual host may differ from the
    /// previous table's (the rest are taken as they were, uncompared); nil
    /// compares every one.
    public mutating func render(_ table: RouteTable, changed: Set<RootIdentity>? = nil) throws -> RenderedSnapshot {
        sequence += 1
        if let changed, routeConfigurationName == table.routeConfigurationName {
            for root in changed {
                let name = RouteTable.virtualHostName(routeConfigurationName: table.routeConfigurationName, root: root)
                try place(table.virtualHost(named: name), named: name)
            }
        } else {
            let wanted = table.virtualHostsByName
            for name in hosts.keys where wanted[name] == nil { try place(nil, named: name) }
            for host in table.virtualHosts { try place(host, named: host.name) }
            routeConfigurationName = table.routeConfigurationName
        }
        var gateways: [String: (model: GatewayCluster, resource: XDSResource)] = [:]
        for cluster in table.clusters {
            if let known = clusters[cluster.name], known.model == cluster {
                gateways[cluster.name] = known
            } else {
                gateways[cluster.name] = (cluster, try XDSResource(name: cluster.name, message: cluster.envoyCluster))
            }
        }
        clusters = gateways
        if listener?.model != table.listener {
            listener = (
                table.listener, try XDSResource(name: table.listener.name, message: table.listener.envoyListener())
            )
        }
        return RenderedSnapshot(
            snapshot: XDSSnapshot(
                sequence: sequence,
                clusters: table.clusters.map { gateways[$0.name]!.resource },
                listeners: [listener!.resource],
                inlineRouteConfigurations: [inline(table.routeConfigurationName)],
                vhdsRouteConfigurations: [
                    try XDSResource(name: table.routeConfigurationName, message: table.vhdsRouteConfiguration)
                ],
                virtualHostsByName: resources),
            virtualHostOfRoot: virtualHostOfRoot,
            rootsWithoutGateway: rootsWithoutGateway, versions: versions)
    }

    /// Makes `name` render `host`, or nothing when nil.
    private mutating func place(_ host: EnvoyVirtualHost?, named name: String) throws {
        let known = hosts[name]
        if let host, let known, known.model == host { return }
        if let known {
            hosts[name] = nil
            resources[name] = nil
            versions[name] = nil
            let index = ordered.partitioningIndex { $0.name >= name }
            if index < ordered.count, ordered[index].name == name { ordered.remove(at: index) }
            for cluster in known.resource.clusters {
                let count = clusterReferences[cluster, default: 1] - 1
                clusterReferences[cluster] = count > 0 ? count : nil
            }
            if virtualHostOfRoot[known.model.root] == name { virtualHostOfRoot[known.model.root] = nil }
            rootsWithoutGateway.remove(known.model.root)
        }
        guard let host else { return }
        let resource = try XDSResource(name: name, message: host.envoyVirtualHost, clusters: host.clusterNames)
        hosts[name] = RenderedHost(model: host, resource: resource)
        resources[name] = resource
        versions[name] = resource.version
        ordered.insert(resource, at: ordered.partitioningIndex { $0.name >= name })
        for cluster in resource.clusters { clusterReferences[cluster, default: 0] += 1 }
        virtualHostOfRoot[host.root] = name
        if resource.clusters.isEmpty { rootsWithoutGateway.insert(host.root) }
    }

    /// State of the world's route configuration: every virtual host inline, in name order.
    private func inline(_ name: String) -> XDSResource {
        var body = Google_Protobuf_Any()
        body.typeURL = ResourceType.routeConfiguration.typeURL
        body.value = InlineRouteConfiguration.encode(name: name, virtualHosts: ordered.map(\.body.value))
        // Its bytes are its name and its virtual hosts' bytes, in order: the
        // versions of those (hashes of their bytes) stand for them, and are
        // a hundredth of the bytes to hash.
        return XDSResource(
            name: name, body: body, version: ContentHash.hex(ordered: [name] + ordered.map(\.version)),
            clusters: Set(clusterReferences.keys), virtualHosts: versions)
    }
}

extension RouteTable {
    /// The virtual host named `name`, found by binary search (they are sorted by name).
    func virtualHost(named name: String) -> EnvoyVirtualHost? {
        let index = virtualHosts.partitioningIndex { $0.name >= name }
        return index < virtualHosts.count && virtualHosts[index].name == name ? virtualHosts[index] : nil
    }
}

/// A snapshot, and the virtual host each root is served by in it.
public struct RenderedSnapshot: Sendable {
    public var snapshot: XDSSnapshot
    public var virtualHostOfRoot: [RootIdentity: String]
    /// Roots none of whose routes reaches a gateway yet (each answers 503).
    public var rootsWithoutGateway: Set<RootIdentity> = []
    /// Each virtual host's version, by name, as the snapshot holds them.
    public var versions: [String: String]

    public init(
        snapshot: XDSSnapshot, virtualHostOfRoot: [RootIdentity: String], rootsWithoutGateway: Set<RootIdentity> = [],
        versions: [String: String]? = nil
    ) {
        self.snapshot = snapshot
        self.virtualHostOfRoot = virtualHostOfRoot
        self.rootsWithoutGateway = rootsWithoutGateway
        self.versions = versions ?? snapshot.virtualHosts.mapValues(\.version)
    }
}
