import KubeAPI
import KubeClient
import Placement
import Testing

@testable import kcp_ingress

/// Which informer events start a snapshot build: those that can change
/// what Envoy routes, and no others (at 10,000 roots a build is the cost).
@Suite("xDS builds follow the events that can change routes")
struct RouteEventFilterTests {
    static let root: JSON = [
        "metadata": ["name": "front", "namespace": "shop", "labels": ["app": "front"]],
        "spec": ["rules": [["host": "front.example.com"]]],
    ]
    static let leaf = Leaf(of: root, cluster: "east").object

    static func changed(_ object: JSON, _ edit: (inout JSON) -> Void) -> InformerEvent {
        var new = object
        edit(&new)
        return .updated(old: object, new: new)
    }

    @Test("a leaf's status, gateway annotation and labels can; its spec, a copy of the root's, cannot")
    func leaves() {
        #expect(XDSServing.rootMayChangeRoutes(Self.changed(Self.leaf) { $0["status"] = ["loadBalancer": [:]] }))
        #expect(
            XDSServing.rootMayChangeRoutes(
                Self.changed(Self.leaf) {
                    $0["metadata"]?["annotations"]?[PlacementLabels.gatewayAddressesAnnotation] = "gw:80"
                }))
        #expect(
            XDSServing.rootMayChangeRoutes(
                Self.changed(Self.leaf) { $0["metadata"]?["labels"]?[PlacementLabels.cluster] = "west" }))
        #expect(
            !XDSServing.rootMayChangeRoutes(
                Self.changed(Self.leaf) { $0["spec"] = ["rules": [["host": "other.example.com"]]] }))
        #expect(XDSServing.rootMayChangeRoutes(.added(Self.leaf)))
        #expect(XDSServing.rootMayChangeRoutes(.deleted(Self.leaf)))
    }

    @Test("a root's spec, labels and annotations can; its status, which the status loop writes, cannot")
    func roots() {
        #expect(
            XDSServing.rootMayChangeRoutes(
                Self.changed(Self.root) { $0["spec"] = ["rules": [["host": "other.example.com"]]] }))
        #expect(XDSServing.rootMayChangeRoutes(Self.changed(Self.root) { $0["metadata"]?["labels"] = ["app": "x"] }))
        #expect(!XDSServing.rootMayChangeRoutes(Self.changed(Self.root) { $0["status"] = ["loadBalancer": [:]] }))
    }
}
