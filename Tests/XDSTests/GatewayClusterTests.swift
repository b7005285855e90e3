import KubeAPI
import Placement
import Testing
import XDS

@Suite("Gateway clusters: one per distinct address set, shared by every root")
struct GatewayClusterTests {
    @Test("100 roots on three clusters make three gateway clusters, every route forwarding to one of them")
    func shared() {
        let clusters = ["east", "west", "north"]
        let services = ["web", "api", "docs"]
        let roots = (0..<100).map { index in
            let root = Objects.root(
                .ingress, "app-\(index)",
                spec: """
                    {"rules":[{"host":"app-\(index).example.com","http":{"paths":[
                      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"\(services[index % 3])","port":{"number":80}}}}]}}]}
                    """)
            return Objects.ingressSource(root, on: [clusters[index % 3]])
        }
        let table = Objects.translate(roots).table
        #expect(table.virtualHosts.count == 100)
        #expect(table.clusters.map(\.name) == ["192.0.2.1", "192.0.2.2", "192.0.2.3"].map { "gateway_\($0):80" })
        #expect(table.clusters.allSatisfy { $0.discovery == .static && $0.endpoints.count == 1 })
        let forwarded = Set(table.virtualHosts.flatMap(\.clusterNames))
        #expect(forwarded == Set(table.clusters.map(\.name)))
    }

    @Test("the address set names the cluster: order and repeats do not matter, a long set is hashed")
    func naming() throws {
        let a = GatewayAddress(host: "192.0.2.1")
        let b = GatewayAddress(host: "lb.example.net", port: 8080)
        let one = try #require(GatewayCluster(endpoints: [b, a, b]))
        let other = try #require(GatewayCluster(endpoints: [a, b]))
        #expect(one == other)
        #expect(one.name == "gateway_192.0.2.1:80_lb.example.net:8080")
        #expect(one.discovery == .strictDNS)
        #expect(GatewayCluster(endpoints: []) == nil)
        let many = (1...20).map { GatewayAddress(host: "192.0.2.\($0)") }
        let hashed = try #require(GatewayCluster(endpoints: many))
        #expect(hashed.name.hasPrefix("gateway_") && hashed.name.count == "gateway_".count + 16)
        #expect(hashed.name == GatewayCluster(endpoints: many.reversed())?.name)
        #expect(hashed.name != GatewayCluster(endpoints: many.dropLast())?.name)
        #expect(hashed.discovery == .static)
        #expect(GatewayAddress(host: "2001:db8::1").description == "[2001:db8::1]:80")
    }

    @Test("a load balancer's port: 80 when it lists 80 or nothing, else the first it lists")
    func ports() {
        func addresses(_ status: String) -> [GatewayAddress] {
            let root = Objects.root(.ingress, "p", spec: "{}")
            return LeafAddresses.addresses(
                of: Objects.leaf(of: root, cluster: "east", status: status), kind: .ingress, rootHosts: [])
        }
        #expect(addresses(#"{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}"#) == [GatewayAddress(host: "192.0.2.1")])
        #expect(
            addresses(#"{"loadBalancer":{"ingress":[{"ip":"192.0.2.1","ports":[{"port":443},{"port":80}]}]}}"#)
                == [GatewayAddress(host: "192.0.2.1", port: 80)])
        #expect(
            addresses(
                #"{"loadBalancer":{"ingress":[{"hostname":"lb.example.net","ports":[{"port":8080,"protocol":"TCP"}]}]}}"#
            )
                == [GatewayAddress(host: "lb.example.net", port: 8080)])
    }

    @Test("the annotation gives addresses where the status has none: names, IPs, ports, IPv6; junk is skipped")
    func annotation() {
        let root = Objects.root(.httpRoute, "h", spec: "{}")
        let leaf = Objects.leaf(
            of: root, cluster: "east",
            annotations: [
                "kcp.dev/gateway-addresses":
                    " 192.0.2.9, GW.example.net:8080,[2001:db8::2]:81, 2001:db8::3, bad host, x:99999"
            ])
        #expect(
            LeafAddresses.addresses(of: leaf, kind: .httpRoute, rootHosts: []) == [
                GatewayAddress(host: "192.0.2.9"), GatewayAddress(host: "gw.example.net", port: 8080),
                GatewayAddress(host: "2001:db8::2", port: 81), GatewayAddress(host: "2001:db8::3"),
            ])
    }

    @Test("a cluster no route forwards to is left out")
    func unused() {
        // The leaf on north reports an address, but no backend of the root runs there.
        let root = Objects.root(
            .ingress, "one",
            spec:
                #"{"rules":[{"host":"one.example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}"#
        )
        let table = Objects.translate([Objects.ingressSource(root, on: ["east", "north"])]).table
        #expect(table.clusters.map(\.name) == [Objects.cluster("east")])
    }
}
