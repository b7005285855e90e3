import EnvoyAPI
import Placement
import SwiftProtobuf

/// A gateway cluster as Envoy's Cluster: its addresses inline (no EDS: the
/// address set is the cluster's identity, so a different set is a
/// different cluster, added before the old one goes).
extension GatewayCluster {
    var envoyCluster: Envoy_Config_Cluster_V3_Cluster {
        var cluster = Envoy_Config_Cluster_V3_Cluster()
        cluster.name = name
        switch discovery {
        case .static: cluster.type = .static
        case .strictDNS:
            cluster.type = .strictDns
            cluster.dnsLookupFamily = .v4Preferred
            cluster.respectDnsTtl = true
        }
        cluster.connectTimeout = Google_Protobuf_Duration(seconds: 2)
        cluster.lbPolicy = .roundRobin
        var assignment = Envoy_Config_Endpoint_V3_ClusterLoadAssignment()
        assignment.clusterName = name
        var locality = Envoy_Config_Endpoint_V3_LocalityLbEndpoints()
        locality.lbEndpoints = endpoints.map { address in
            var endpoint = Envoy_Config_Endpoint_V3_LbEndpoint()
            endpoint.endpoint.address = .socket(host: address.host, port: address.port)
            return endpoint
        }
        assignment.endpoints = [locality]
        cluster.loadAssignment = assignment
        return cluster
    }
}

extension Envoy_Config_Core_V3_Address {
    static func socket(host: String, port: Int) -> Envoy_Config_Core_V3_Address {
        var socket = Envoy_Config_Core_V3_SocketAddress()
        socket.address = host
        socket.portValue = UInt32(port)
        var address = Envoy_Config_Core_V3_Address()
        address.socketAddress = socket
        return address
    }
}
