import EnvoyAPI
import SwiftProtobuf
import Testing

@Suite("Envoy type URLs and Any")
struct TypeURLTests {
    @Test("the resource types carry Envoy's type URLs")
    func typeURLs() {
        let types: [any SwiftProtobuf.Message.Type] = [
            Envoy_Config_Listener_V3_Listener.self,
            Envoy_Config_Route_V3_RouteConfiguration.self,
            Envoy_Config_Route_V3_VirtualHost.self,
            Envoy_Config_Cluster_V3_Cluster.self,
            Envoy_Config_Endpoint_V3_ClusterLoadAssignment.self,
            Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager.self,
            Envoy_Extensions_Filters_Http_Router_V3_Router.self,
        ]
        #expect(
            types.map { "type.googleapis.com/" + $0.protoMessageName } == [
                "type.googleapis.com/envoy.config.listener.v3.Listener",
                "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
                "type.googleapis.com/envoy.config.route.v3.VirtualHost",
                "type.googleapis.com/envoy.config.cluster.v3.Cluster",
                "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
                "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
            ]
        )
    }

    @Test("a Cluster packed in an Any unpacks to the same Cluster")
    func clusterThroughAny() throws {
        var cluster = Envoy_Config_Cluster_V3_Cluster()
        cluster.name = "gateway-10.0.0.1-8080"
        cluster.type = .strictDns
        cluster.connectTimeout = .init(seconds: 5)
        cluster.lbPolicy = .roundRobin
        cluster.dnsLookupFamily = .v4Only
        cluster.respectDnsTtl = true
        var endpoint = Envoy_Config_Endpoint_V3_LbEndpoint()
        endpoint.endpoint.address.socketAddress.address = "10.0.0.1"
        endpoint.endpoint.address.socketAddress.portValue = 8080
        endpoint.loadBalancingWeight = .init(2)
        var locality = Envoy_Config_Endpoint_V3_LocalityLbEndpoints()
        locality.lbEndpoints = [endpoint]
        cluster.loadAssignment.clusterName = cluster.name
        cluster.loadAssignment.endpoints = [locality]

        let any = try Google_Protobuf_Any(message: cluster)
        #expect(any.typeURL == "type.googleapis.com/envoy.config.cluster.v3.Cluster")
        #expect(any.isA(Envoy_Config_Cluster_V3_Cluster.self))
        #expect(!any.isA(Envoy_Config_Listener_V3_Listener.self))
        let back = try Envoy_Config_Cluster_V3_Cluster(unpackingAny: any)
        #expect(back == cluster)
        #expect(
            back.loadAssignment.endpoints.first?.lbEndpoints.first?.endpoint.address.socketAddress.portValue == 8080)
    }

    @Test("an HTTP connection manager with the router filter nests inside a Listener's Any")
    func listenerNesting() throws {
        var manager = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager()
        manager.statPrefix = "ingress_http"
        manager.codecType = .auto
        manager.rds.routeConfigName = "kcp-ingress"
        manager.rds.configSource.ads = .init()
        manager.rds.configSource.resourceApiVersion = .v3
        var router = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter()
        router.name = "envoy.filters.http.router"
        router.typedConfig = try Google_Protobuf_Any(message: Envoy_Extensions_Filters_Http_Router_V3_Router())
        manager.httpFilters = [router]
        var filter = Envoy_Config_Listener_V3_Filter()
        filter.name = "envoy.filters.network.http_connection_manager"
        filter.typedConfig = try Google_Protobuf_Any(message: manager)
        var listener = Envoy_Config_Listener_V3_Listener()
        listener.name = "kcp-ingress"
        listener.address.socketAddress.address = "0.0.0.0"
        listener.address.socketAddress.portValue = 80
        listener.filterChains = [.with { $0.filters = [filter] }]

        let decoded = try Envoy_Config_Listener_V3_Listener(serializedBytes: try listener.serializedBytes() as [UInt8])
        let inner = try Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager(
            unpackingAny: decoded.filterChains[0].filters[0].typedConfig
        )
        #expect(inner.rds.routeConfigName == "kcp-ingress")
        #expect(
            inner.httpFilters.first?.typedConfig.typeURL
                == "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router")
    }
}
