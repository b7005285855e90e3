import EnvoyAPI
import Foundation
import SwiftProtobuf

/// Turns route tables into snapshots, re-encoding only what changed: a
/// virtual host or cluster equal to the one rendered last time keeps its
/// resource (bytes and version) as it was.
public struct SnapshotRenderer: Sendable {
    private var virtualHosts: [String: (model: EnvoyVirtualHost, resource: XDSResource)] = [:]
    private var clusters: [String: (model: GatewayCluster, resource: XDSResource)] = [:]
    private var listener: (model: EnvoyListener, resource: XDSResource)?
    private var sequence: UInt64 = 0

    public init() {}

    /// A snapshot of `table`, and which virtual host serves each root.
    /// `changed` names the roots whose virtual hosts may differ from the
    /// previous table's (the rest are taken as they were, uncompared); nil
    /// compares every one.
    public mutating func render(_ table: RouteTable, changed: Set<RootIdentity>? = nil) throws -> RenderedSnapshot {
        sequence += 1
        var hosts: [String: (model: EnvoyVirtualHost, resource: XDSResource)] = [:]
        hosts.reserveCapacity(table.virtualHosts.count)
        for host in table.virtualHosts {
            if let known = virtualHosts[host.name],
                changed.map({ !$0.contains(host.root) }) ?? false || known.model == host
            {
                hosts[host.name] = known
            } else {
                let resource = try XDSResource(
                    name: host.name, message: host.envoyVirtualHost, clusters: host.clusterNames)
                hosts[host.name] = (host, resource)
            }
        }
        virtualHosts = hosts
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
        let ordered = table.virtualHosts.map { hosts[$0.name]!.resource }
        return RenderedSnapshot(
            snapshot: XDSSnapshot(
                sequence: sequence,
                clusters: table.clusters.map { gateways[$0.name]!.resource },
                listeners: [listener!.resource],
                inlineRouteConfigurations: [Self.inline(table.routeConfigurationName, ordered)],
                vhdsRouteConfigurations: [
                    try XDSResource(name: table.routeConfigurationName, message: table.vhdsRouteConfiguration)
                ],
                virtualHosts: ordered),
            virtualHostOfRoot: Dictionary(
                table.virtualHosts.map { ($0.root, $0.name) }, uniquingKeysWith: { first, _ in first }),
            rootsWithoutGateway: Set(
                table.virtualHosts.lazy.filter { hosts[$0.name]!.resource.clusters.isEmpty }.map(\.root)))
    }

    private static func inline(_ name: String, _ virtualHosts: [XDSResource]) -> XDSResource {
        var body = Google_Protobuf_Any()
        body.typeURL = ResourceType.routeConfiguration.typeURL
        body.value = InlineRouteConfiguration.encode(name: name, virtualHosts: virtualHosts.map(\.body.value))
        let components = Dictionary(uniqueKeysWithValues: virtualHosts.map { ($0.name, $0.version) })
        // Its bytes are its name and its virtual hosts' bytes, in order: the
        // versions of those (hashes of their bytes) stand for them, and are
        // a hundredth of the bytes to hash.
        return XDSResource(
            name: name, body: body, version: ContentHash.hex(ordered: [name] + virtualHosts.map(\.version)),
            clusters: virtualHosts.reduce(into: []) { $0.formUnion($1.clusters) }, virtualHosts: components)
    }
}

/// A snapshot, and the virtual host each root is served by in it.
public struct RenderedSnapshot: Sendable {
    public var snapshot: XDSSnapshot
    public var virtualHostOfRoot: [RootIdentity: String]
    /// Roots none of whose routes reaches a gateway yet (each answers 503).
    public var rootsWithoutGateway: Set<RootIdentity> = []
}
