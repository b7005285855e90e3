import KubeAPI
import Testing

@testable import Placement

@Suite("Placement indexes")
struct PlacementIndexTests {
    @Test("owned-by: namespace/root of a leaf, also for a root of 70 characters")
    func ownedBy() {
        let root = String(repeating: "r", count: 70)
        var ingress = Fixtures.ingress
        ingress["metadata"]?["name"] = .string(root)
        let leaf = Leaf(of: ingress, cluster: "east").object
        #expect(PlacementIndex.ownedBy.1(leaf) == ["shop/\(root)"])
        // A leaf labelled by hand, without the annotation: the label.
        var byHand = Fixtures.service("x", cluster: "east")
        byHand["metadata"]?["labels"]?["kcp.dev/owned-by"] = "front"
        #expect(PlacementIndex.ownedBy.1(byHand) == ["shop/front"])
        #expect(PlacementIndex.ownedBy.1(Fixtures.ingress).isEmpty)
    }

    @Test("services and hosts: roots only, keyed with their logical cluster")
    func servicesAndHosts() {
        #expect(Set(PlacementIndex.services.1(Fixtures.ingress)) == ["shop/web", "shop/api"])
        #expect(Set(PlacementIndex.hosts.1(Fixtures.httpRoute)) == ["store.example.com", "*.store.example.com"])
        let leaf = Leaf(of: Fixtures.ingress, cluster: "east").object
        #expect(PlacementIndex.services.1(leaf).isEmpty)
        #expect(PlacementIndex.hosts.1(leaf).isEmpty)

        var inWorkspace = Fixtures.route
        inWorkspace["metadata"]?["annotations"] = ["kcp.io/cluster": "root:org"]
        #expect(Set(PlacementIndex.services.1(inWorkspace)) == ["root:org|shop/web", "root:org|shop/api"])
        #expect(PlacementIndex.namespace.1(inWorkspace) == ["root:org|shop"])
        #expect(PlacementIndex.hosts.1(inWorkspace) == ["legacy.example.com"])
    }

    @Test("object keys: kcp's cluster-aware form, plain client-go keys without a logical cluster")
    func keys() {
        #expect(ObjectKey(of: Fixtures.route).description == "shop/legacy")
        var route = Fixtures.route
        route["metadata"]?["annotations"] = ["kcp.io/cluster": "root:a"]
        #expect(ObjectKey(of: route).description == "root:a|shop/legacy")
        #expect(ObjectMeta(json: route["metadata"]!).key == "root:a|shop/legacy")
        route["metadata"]?["annotations"] = ["kcp.dev/cluster": "old"]
        #expect(ObjectKey(of: route).logicalCluster == "old")
        route["metadata"]?["annotations"] = nil
        route["metadata"]?["clusterName"] = "older"
        #expect(ObjectKey(of: route).logicalCluster == "older")
    }
}
