import KubeAPI
import Placement
import Testing
import XDS

@Suite("Changes between two route tables, per resource")
struct RouteTableChangesTests {
    static func root(_ name: String, service: String = "web") -> JSON {
        Objects.root(
            .ingress, name,
            spec: """
                {"rules":[{"host":"\(name).example.com","http":{"paths":[
                  {"path":"/","pathType":"Prefix","backend":{"service":{"name":"\(service)","port":{"number":80}}}}]}}]}
                """)
    }

    @Test("one root changed is one virtual host; a root gone is a removal; a cluster no longer used is removed")
    func perResource() {
        let before = Objects.translate([
            Objects.ingressSource(Self.root("a"), on: ["east"]), Objects.ingressSource(Self.root("b"), on: ["east"]),
            Objects.ingressSource(Self.root("c", service: "api"), on: ["west"]),
        ]).table
        #expect(RouteTableChanges(from: before, to: before).isEmpty)

        let after = Objects.translate([
            Objects.ingressSource(Self.root("a"), on: ["east"]),
            Objects.ingressSource(Self.root("b", service: "docs"), on: ["north"]),
        ]).table
        let changes = RouteTableChanges(from: before, to: after)
        #expect(changes.updatedVirtualHosts.map(\.name) == ["routes_80/ingress.shop.b"])
        #expect(changes.removedVirtualHosts == ["routes_80/ingress.shop.c"])
        #expect(changes.updatedClusters.map(\.name) == [Objects.cluster("north")])
        #expect(changes.removedClusters == [Objects.cluster("west")])
        #expect(!changes.listenerChanged)
    }
}
