import Foundation
import KubeAPI
import Placement
import Testing

@testable import OpsPage
@testable import XDS

@Suite("The operator's page: its model")
struct DebugStateBuilderTests {
    static func ingress(_ name: String, namespace: String = "shop", clusters: [String]) throws -> JSON {
        try JSON(
            parsing: """
                {"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
                 "metadata":{"name":"\(name)","namespace":"\(namespace)",
                   "annotations":{"kcp.dev/clusters":"\(clusters.joined(separator: ","))"}},
                 "spec":{"rules":[{"host":"\(name).example.com"}]},
                 "status":{"loadBalancer":{"ingress":[{"hostname":"\(name).kcp-apps.example.com"}]}}}
                """)
    }

    static func leaf(of root: String, namespace: String = "shop", cluster: String, ip: String? = nil) throws -> JSON {
        let status =
            ip.map { #","status":{"loadBalancer":{"ingress":[{"ip":"\#($0)","ports":[{"port":8080}]}]}}"# } ?? ""
        return try JSON(
            parsing: """
                {"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
                 "metadata":{"name":"\(root)--\(cluster)","namespace":"\(namespace)",
                   "labels":{"kcp.dev/cluster":"\(cluster)","kcp.dev/owned-by":"\(root)"}},
                 "spec":{"rules":[{"host":"\(root).example.com"}]}\(status)}
                """)
    }

    static func stream(rejecting error: String? = nil) -> XDSStreamRegistry.Stream {
        XDSStreamRegistry.Stream(
            id: 3, nodeID: "edge-1", delta: true, routesSubscribed: true, acceptedVirtualHosts: [:],
            acceptedVersionInfo: [.cluster: "7", .virtualHost: "9"],
            rejections: error.map { [.virtualHost: $0] } ?? [:], rejectedVirtualHosts: [])
    }

    static func inputs(
        _ objects: [JSON], routing: [String: RoutingState] = [:], programmed: [String: Duration] = [:],
        streams: [XDSStreamRegistry.Stream] = [stream()]
    ) -> DebugInputs {
        DebugInputs(
            version: "1.2.3", leader: true, informersSynced: true, queueDepth: 2, streams: streams,
            objects: [.ingress: objects],
            routing: { routing[$0.key.name] ?? .routed }, programmed: { programmed[$0.key.name] })
    }

    @Test("a root's row has its leaves (cluster, status, gateway), its merged status and routing state")
    func rootRow() throws {
        let state = DebugStateBuilder.build(
            Self.inputs(
                [
                    try Self.ingress("web", clusters: ["east", "west"]),
                    try Self.leaf(of: "web", cluster: "west", ip: "192.0.2.2"),
                    try Self.leaf(of: "web", cluster: "east", ip: "192.0.2.1"),
                ], programmed: ["web": .milliseconds(42)]),
            filter: .init(), page: 1)
        #expect(state.page == .init(number: 1, size: 100, pages: 1, matching: 1, total: 1))
        let root = try #require(state.roots.first)
        #expect(root.kind == "Ingress")
        #expect(root.namespace == "shop" && root.name == "web")
        #expect(root.hosts == ["web.example.com"])
        #expect(root.clusters == ["east", "west"])
        #expect(root.leaves.map(\.name) == ["web--east", "web--west"])
        #expect(root.leaves.map(\.gateways) == [["192.0.2.1:8080"], ["192.0.2.2:8080"]])
        #expect(root.leaves[0].status == "load balancer 192.0.2.1:8080")
        #expect(root.status == "load balancer web.kcp-apps.example.com")
        #expect(root.routing == "programmed")
        #expect(root.programmedSeconds == 0.042)
        #expect(
            state.envoys == [
                .init(node: "edge-1", stream: 3, mode: "delta", acked: ["cds": "7", "vhds": "9"], rejected: [:])
            ])
        #expect(state.leader == true && state.queueDepth == 2 && state.informersSynced)
    }

    @Test("physical clusters: their gateway addresses, the Envoy cluster they become, the roots placed there")
    func clusters() throws {
        let state = DebugStateBuilder.build(
            Self.inputs([
                try Self.ingress("a", clusters: ["east", "west"]), try Self.ingress("b", clusters: ["east"]),
                try Self.leaf(of: "a", cluster: "east", ip: "192.0.2.1"), try Self.leaf(of: "a", cluster: "west"),
                try Self.leaf(of: "b", cluster: "east", ip: "192.0.2.1"),
            ]),
            filter: .init(), page: 1)
        #expect(
            state.clusters == [
                .init(name: "east", gateways: ["192.0.2.1:8080"], envoyCluster: "gateway_192.0.2.1:8080", roots: 2),
                .init(name: "west", gateways: [], envoyCluster: nil, roots: 1),
            ])
    }

    @Test("filters: namespace, kind, cluster and not ready; a NACK is a rejected root with Envoy's text")
    func filters() throws {
        let objects = [
            try Self.ingress("a", clusters: ["east"]), try Self.ingress("b", clusters: ["west"]),
            try Self.ingress("c", namespace: "other", clusters: ["east"]),
        ]
        let routing: [String: RoutingState] = ["b": .rejected("Envoy edge-1 rejected the routes: bad regex")]
        func names(_ filter: DebugState.Filter) -> [String] {
            DebugStateBuilder.build(Self.inputs(objects, routing: routing), filter: filter, page: 1).roots.map(\.name)
        }
        #expect(names(.init()) == ["c", "a", "b"])  // by namespace, then name
        #expect(names(.init(namespace: "shop")) == ["a", "b"])
        #expect(names(.init(cluster: "east")) == ["c", "a"])
        #expect(names(.init(kind: "route")) == [])
        #expect(names(.init(kind: "ingress", notReady: true)) == ["b"])
        let rejected = try #require(
            DebugStateBuilder.build(Self.inputs(objects, routing: routing), filter: .init(notReady: true), page: 1)
                .roots.first)
        #expect(rejected.routing == "rejected")
        #expect(rejected.routingDetail == "Envoy edge-1 rejected the routes: bad regex")
    }

    @Test("100 roots a page: page 3 of 250 holds the last 50; a page past the end shows the last")
    func paging() throws {
        let objects = try (0..<250).map { try Self.ingress(String(format: "r%03d", $0), clusters: ["east"]) }
        let third = DebugStateBuilder.build(Self.inputs(objects), filter: .init(), page: 3)
        #expect(third.page == .init(number: 3, size: 100, pages: 3, matching: 250, total: 250))
        #expect(third.roots.count == 50)
        #expect(third.roots.first?.name == "r200")
        #expect(DebugStateBuilder.build(Self.inputs(objects), filter: .init(), page: 99).page.number == 3)
        #expect(DebugStateBuilder.build(Self.inputs(objects), filter: .init(), page: -1).roots.first?.name == "r000")
    }

    @Test("without the xDS server, routing is unknown and says why")
    func withoutXDS() throws {
        var inputs = Self.inputs([try Self.ingress("a", clusters: [])], streams: [])
        inputs.routing = nil
        let root = try #require(DebugStateBuilder.build(inputs, filter: .init(), page: 1).roots.first)
        #expect(root.routing == "unknown")
        #expect(root.routingDetail == "the xDS server is off (-envoyxds)")
    }

    @Test("the query string: filters percent-decoded, kind lowercased, page a number")
    func query() {
        let query = DebugQuery("namespace=team%2Da&kind=HTTPRoute&cluster=east+1&notReady=1&page=2&x=y")
        #expect(query.filter == .init(namespace: "team-a", kind: "httproute", cluster: "east 1", notReady: true))
        #expect(query.page == 2)
        #expect(DebugQuery(nil) == DebugQuery("namespace=&kind=&page=x"))
        // Pairs without a key, or nothing at all, are ignored.
        for odd in ["=", "&=", "=x", "&&", "==", "namespace"] { #expect(DebugQuery(odd) == DebugQuery(nil)) }
    }
}
