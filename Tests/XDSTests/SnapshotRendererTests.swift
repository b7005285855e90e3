import EnvoyAPI
import KubeAPI
import Placement
import SwiftProtobuf
import Testing

@testable import XDS

@Suite struct SnapshotRendererTests {
    let listener = EnvoyListener(address: "127.0.0.1", port: 8080)
    let east = GatewayCluster(endpoints: [GatewayAddress(host: "192.0.2.1")])!
    let west = GatewayCluster(endpoints: [GatewayAddress(host: "gateway.west.example", port: 8080)])!

    func host(_ name: String, path: String = "/", clusters: [GatewayCluster]) -> EnvoyVirtualHost {
        let root = RootIdentity(kind: .ingress, key: ObjectKey(namespace: "shop", name: name))
        let action: RouteAction =
            clusters.isEmpty
            ? .noClusterYet : .weightedClusters(clusters.map { WeightedCluster(cluster: $0.name, weight: 1) })
        return EnvoyVirtualHost(
            name: RouteTable.virtualHostName(routeConfigurationName: listener.routeConfigurationName, root: root),
            domains: ["\(name).example", "\(name).example:*"],
            routes: [EnvoyRoute(match: RouteMatch(path: .prefix(path)), action: action)], root: root,
            hosts: ["\(name).example"])
    }

    @Test func theInlineRouteConfigurationIsWhatSwiftProtobufWouldWrite() throws {
        let table = RouteTable(
            listener: listener, virtualHosts: [host("a", clusters: [east]), host("b", clusters: [east, west])],
            clusters: [east, west])
        var renderer = SnapshotRenderer()
        let snapshot = try renderer.render(table).snapshot
        let inline = try #require(snapshot.inlineRouteConfigurations[table.routeConfigurationName])
        let decoded = try Envoy_Config_Route_V3_RouteConfiguration(serializedBytes: inline.body.value)
        #expect(decoded == table.inlineRouteConfiguration)
        #expect(inline.body.typeURL == ResourceType.routeConfiguration.typeURL)
        #expect(inline.clusters == [east.name, west.name])
        #expect(inline.virtualHosts.keys.sorted() == table.virtualHosts.map(\.name))
    }

    @Test func everyResourceCarriesEnvoysTypeURL() throws {
        let table = RouteTable(listener: listener, virtualHosts: [host("a", clusters: [east])], clusters: [east])
        var renderer = SnapshotRenderer()
        let snapshot = try renderer.render(table).snapshot
        for type in ResourceType.allCases {
            for delta in [false, true] {
                for resource in snapshot.resources(type, delta: delta).values {
                    #expect(resource.body.typeURL == type.typeURL)
                }
            }
        }
        let vhds = try Envoy_Config_Route_V3_RouteConfiguration(
            serializedBytes: snapshot.vhdsRouteConfigurations[table.routeConfigurationName]!.body.value)
        #expect(vhds.hasVhds && vhds.virtualHosts.isEmpty)
    }

    @Test func theListenerTakesItsRoutesFromADS() throws {
        let table = RouteTable(listener: listener, virtualHosts: [], clusters: [])
        var renderer = SnapshotRenderer()
        let resource = try #require(try renderer.render(table).snapshot.listeners["listener_8080"])
        let decoded = try Envoy_Config_Listener_V3_Listener(serializedBytes: resource.body.value)
        #expect(decoded.address.socketAddress.address == "127.0.0.1")
        #expect(decoded.address.socketAddress.portValue == 8080)
        let manager = try Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager(
            unpackingAny: decoded.filterChains[0].filters[0].typedConfig)
        #expect(manager.rds.routeConfigName == "routes_8080")
        #expect(manager.rds.configSource.ads == Envoy_Config_Core_V3_AggregatedConfigSource())
        #expect(manager.httpFilters.map(\.name) == ["envoy.filters.http.router"])
        #expect(manager.upgradeConfigs.map(\.upgradeType) == ["websocket"])
        #expect(manager.stripAnyHostPort)
    }

    @Test func clustersAreStaticForIPsAndDNSForNames() throws {
        var renderer = SnapshotRenderer()
        let snapshot = try renderer.render(RouteTable(listener: listener, virtualHosts: [], clusters: [east, west]))
            .snapshot
        let staticCluster = try Envoy_Config_Cluster_V3_Cluster(
            serializedBytes: snapshot.clusters[east.name]!.body.value)
        #expect(staticCluster.type == .static)
        #expect(staticCluster.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress.portValue == 80)
        let dns = try Envoy_Config_Cluster_V3_Cluster(serializedBytes: snapshot.clusters[west.name]!.body.value)
        #expect(dns.type == .strictDns)
        #expect(
            dns.loadAssignment.endpoints[0].lbEndpoints[0].endpoint.address.socketAddress.address
                == "gateway.west.example")
    }

    @Test func aChangedRootChangesOnlyItsOwnResource() throws {
        var renderer = SnapshotRenderer()
        let before = try renderer.render(
            RouteTable(
                listener: listener, virtualHosts: [host("a", clusters: [east]), host("b", clusters: [east])],
                clusters: [east])
        )
        let after = try renderer.render(
            RouteTable(
                listener: listener,
                virtualHosts: [host("a", clusters: [east]), host("b", path: "/shop", clusters: [east])],
                clusters: [east]))
        let names = before.snapshot.virtualHosts.keys.sorted()
        #expect(after.snapshot.sequence == before.snapshot.sequence + 1)
        #expect(before.snapshot.virtualHosts[names[0]]!.version == after.snapshot.virtualHosts[names[0]]!.version)
        #expect(before.snapshot.virtualHosts[names[1]]!.version != after.snapshot.virtualHosts[names[1]]!.version)
        #expect(before.snapshot.clusters == after.snapshot.clusters)
        let root = RootIdentity(kind: .ingress, key: ObjectKey(namespace: "shop", name: "b"))
        #expect(after.virtualHostOfRoot[root] == names[1])
    }
}
