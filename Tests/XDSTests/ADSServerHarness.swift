import EnvoyAPI
import GRPC
import Logging
import XDS

/// The xDS server as serve runs it, without a socket: the ADS service in a
/// `GRPCServer`, called through the in-memory channel, fed snapshots that
/// the real renderer made from route tables.
struct ADSServerHarness {
    typealias SotWStream = EnvoyADSStream<
        Envoy_Service_Discovery_V3_DiscoveryRequest, Envoy_Service_Discovery_V3_DiscoveryResponse
    >
    typealias DeltaStream = EnvoyADSStream<
        Envoy_Service_Discovery_V3_DeltaDiscoveryRequest, Envoy_Service_Discovery_V3_DeltaDiscoveryResponse
    >

    static let service = "/envoy.service.discovery.v3.AggregatedDiscoveryService"

    let cache = SnapshotCache()
    let registry = XDSStreamRegistry()
    let channel: InMemoryGRPCChannel
    private var renderer = SnapshotRenderer()

    init(_ table: RouteTable) throws {
        let driver = XDSStreamDriver(cache: cache, registry: registry, logger: Logger(label: "ads-test"))
        channel = InMemoryGRPCChannel(
            server: GRPCServer(
                services: [AggregatedDiscoveryService(driver: driver)], logger: Logger(label: "ads-test")))
        try publish(table)
    }

    mutating func publish(_ table: RouteTable) throws {
        cache.publish(try renderer.render(table).snapshot)
    }

    /// A state-of-the-world ADS stream, as `api_type: GRPC` opens it.
    func stateOfTheWorld() -> SotWStream {
        SotWStream(channel.call("\(Self.service)/StreamAggregatedResources"))
    }

    /// A delta ADS stream, as `api_type: DELTA_GRPC` opens it.
    func delta() -> DeltaStream {
        DeltaStream(channel.call("\(Self.service)/DeltaAggregatedResources"))
    }
}

/// Type URLs exactly as Envoy writes them, spelled out rather than taken
/// from the server: a server that answered with another spelling would
/// fail these tests, as Envoy would ignore it.
enum EnvoyTypeURL {
    static let cluster = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
    static let listener = "type.googleapis.com/envoy.config.listener.v3.Listener"
    static let routeConfiguration = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
    static let virtualHost = "type.googleapis.com/envoy.config.route.v3.VirtualHost"
}

/// Envoy's node, as the bootstraps in contrib/envoy name it.
enum EnvoyNode {
    static var node: Envoy_Config_Core_V3_Node {
        var node = Envoy_Config_Core_V3_Node()
        node.id = "kcp-ingress"
        node.cluster = "kcp-ingress"
        node.userAgentName = "envoy"
        return node
    }

    /// A NACK's error_detail: Envoy sends INTERNAL (13) and the reason.
    static func error(_ message: String) -> Google_Rpc_Status {
        var status = Google_Rpc_Status()
        status.code = 13
        status.message = message
        return status
    }
}
