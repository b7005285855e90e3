import KubeAPI
import Placement
import Testing
import XDS

@Suite("Hosts: one root per host, the oldest; workspaces kept apart")
struct HostConflictTests {
    static func ingress(
        _ name: String, hosts: [String], created: String?, namespace: String = "shop", workspace: String? = nil
    ) -> RootSource {
        let rules = hosts.map {
            #"{"host":"\#($0)","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}"#
        }
        let root = Objects.root(
            .ingress, name, namespace: namespace, workspace: workspace, created: created,
            spec: #"{"rules":[\#(rules.joined(separator: ","))]}"#)
        return Objects.ingressSource(root, on: ["east"])
    }

    @Test("the oldest root keeps a contested host; the newer keeps its other hosts or is dropped; conflicts reported")
    func oldestWins() throws {
        let old = Self.ingress("old", hosts: ["shared.example.com"], created: "2026-01-01T00:00:00Z")
        let newer = Self.ingress(
            "newer", hosts: ["shared.example.com", "own.example.com"], created: "2026-02-01T00:00:00Z")
        let newest = Self.ingress("newest", hosts: ["Shared.Example.com"], created: "2026-03-01T00:00:00Z")
        // Input order must not matter.
        for roots in [[newest, newer, old], [old, newer, newest], [newer, newest, old]] {
            let translation = Objects.translate(roots)
            #expect(translation.table.virtualHosts.map(\.root.key.name) == ["newer", "old"])
            #expect(translation.virtualHost("old")?.domains == ["shared.example.com", "shared.example.com:*"])
            #expect(translation.virtualHost("newer")?.domains == ["own.example.com", "own.example.com:*"])
            #expect(translation.virtualHost("newer")?.hosts == ["own.example.com"])
            #expect(
                translation.conflicts == [
                    HostConflict(host: "shared.example.com", winner: old.identity, loser: newer.identity),
                    HostConflict(host: "shared.example.com", winner: old.identity, loser: newest.identity),
                ])
        }
    }

    @Test("created in the same second, the key decides; a root not stored yet is youngest; kinds compete too")
    func tieBreaks() {
        let a = Self.ingress("a", hosts: ["tie.example.com"], created: "2026-01-01T00:00:00Z")
        let b = Self.ingress("b", hosts: ["tie.example.com"], created: "2026-01-01T00:00:00Z")
        #expect(Objects.translate([b, a]).conflicts.map(\.winner.key.name) == ["a"])
        let unsaved = Self.ingress("0-unsaved", hosts: ["tie.example.com"], created: nil)
        #expect(Objects.translate([unsaved, b]).conflicts.map(\.winner.key.name) == ["b"])
        let route = Objects.root(
            .httpRoute, "z-route", created: "2025-12-31T00:00:00Z",
            spec: #"{"hostnames":["tie.example.com"],"rules":[{"backendRefs":[{"name":"web"}]}]}"#)
        let translation = Objects.translate([a, RootSource(kind: .httpRoute, object: route, leaves: [])])
        #expect(translation.conflicts.map(\.winner.kind) == [.httpRoute])
        #expect(translation.table.virtualHosts.map(\.root.kind) == [.httpRoute])
    }

    @Test("the same namespace and name in two workspaces: two virtual hosts, each using its own workspace's Services")
    func workspaces() throws {
        let inA = Self.ingress(
            "front", hosts: ["a.example.com"], created: "2026-01-01T00:00:00Z", workspace: "root:team-a")
        let inB = Self.ingress(
            "front", hosts: ["b.example.com"], created: "2026-01-01T00:00:00Z", workspace: "root:team-b")
        let services = [
            Objects.service("web", cluster: "east", workspace: "root:team-a"),
            Objects.service("web", cluster: "west", workspace: "root:team-b"),
        ]
        var sourceB = inB
        sourceB.leaves = [Objects.leaf(of: inB.object, cluster: "west", status: Objects.loadBalancer("192.0.2.2"))]
        let table = Objects.translate([inA, sourceB], services: services).table
        #expect(
            table.virtualHosts.map(\.name) == [
                "routes_80/ingress.shop.front@root:team-a", "routes_80/ingress.shop.front@root:team-b",
            ])
        #expect(table.virtualHosts.map(\.root.key.logicalCluster) == ["root:team-a", "root:team-b"])
        #expect(table.virtualHosts[0].routes[0].action.weights == [Objects.cluster("east"): 1])
        #expect(table.virtualHosts[1].routes[0].action.weights == [Objects.cluster("west"): 1])
        // A workspace without the Service gets nothing from the other's.
        let onlyA = Objects.translate([inA, sourceB], services: [services[0]]).table
        #expect(onlyA.virtualHosts[1].routes[0].action == .noClusterYet)
    }

    @Test("a root key holds no / (Envoy reads the route configuration up to the last /)")
    func rootKey() {
        let key = ObjectKey(logicalCluster: "odd/cluster%", namespace: "ns", name: "n.a.me")
        let name = RouteTable.virtualHostName(
            routeConfigurationName: "routes_80", root: RootIdentity(kind: .httpRoute, key: key))
        #expect(name == "routes_80/httproute.ns.n.a.me@odd%2Fcluster%25")
        #expect(name.split(separator: "/").count == 2)
    }

    @Test("a root given twice counts once; a malformed host never becomes a domain that could swallow others")
    func duplicatesAndMalformedHosts() {
        let root = Self.ingress("twice", hosts: ["twice.example.com"], created: "2026-01-01T00:00:00Z")
        let translation = Objects.translate([root, root])
        #expect(translation.table.virtualHosts.count == 1)
        #expect(translation.conflicts.isEmpty)
        let malformed = Self.ingress(
            "bad", hosts: ["*", "a.example.com:8080", "*.*.example.com", "ok.example.com"],
            created: "2026-01-01T00:00:00Z")
        #expect(Objects.translate([malformed]).virtualHost("bad")?.domains == ["ok.example.com", "ok.example.com:*"])
    }
}
