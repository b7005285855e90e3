import KubeAPI
import Placement
import XDS

/// Route tables for the ADS protocol tests, translated from Ingress roots
/// and their leaves exactly as serve translates them.
enum ADSRoots {
    /// Envoy's listener in these tests: `listener_8080`, `routes_8080`.
    static let settings = TranslationSettings(listenerAddress: "127.0.0.1", listenerPort: 8080)
    static let routeConfiguration = "routes_8080"

    /// The Ingress `name` serving `<name>.example.com` at `path` from
    /// `service` (`web` runs on east, `api` on west), with a leaf on that
    /// cluster whose syncer reported the cluster's gateway IP and `port`.
    static func ingress(_ name: String, path: String = "/", service: String = "web", port: Int = 80) -> RootSource {
        let backend = #"{"service":{"name":"\#(service)","port":{"number":80}}}"#
        let root = Objects.root(
            .ingress, name,
            spec:
                #"{"rules":[{"host":"\#(name).example.com","http":{"paths":[{"path":"\#(path)","pathType":"Prefix","backend":\#(backend)}]}}]}"#
        )
        let cluster = service == "api" ? "west" : "east"
        let status =
            #"{"loadBalancer":{"ingress":[{"ip":"\#(Objects.gatewayIP[cluster]!)","ports":[{"port":\#(port)}]}]}}"#
        return RootSource(
            kind: .ingress, object: root, leaves: [Objects.leaf(of: root, cluster: cluster, status: status)])
    }

    static func table(_ roots: RootSource..., listenerPort: Int = 8080) -> RouteTable {
        var settings = settings
        settings.listenerPort = listenerPort
        return Objects.translate(roots, settings: settings).table
    }

    /// The virtual host name (and VHDS resource name) of Ingress `name`.
    static func virtualHost(_ name: String) -> String { "\(routeConfiguration)/ingress.shop.\(name)" }

    /// The Envoy cluster of a physical cluster's gateway at `port`.
    static func cluster(_ physical: String, port: Int = 80) -> String {
        "gateway_\(Objects.gatewayIP[physical]!):\(port)"
    }
}
