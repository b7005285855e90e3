import KubeAPI
import Testing

@testable import Placement

@Suite("Placement: clusters, leaves, the root's patch")
struct PlacementTests {
    let twoClusters = Fixtures.lookup([
        Fixtures.service("web", cluster: "east"), Fixtures.service("api", cluster: "west"),
    ])

    @Test(
        "each kind: its backends' clusters, sorted, one leaf per cluster",
        arguments: [
            (Fixtures.ingress, RootKind.ingress), (Fixtures.httpRoute, .httpRoute), (Fixtures.route, .route),
        ])
    func perKind(root: JSON, kind: RootKind) {
        let placement = Placement.decide(root: root, kind: kind, service: twoClusters)
        #expect(placement.clusters == ["east", "west"])
        #expect(placement.leaves.map(\.cluster) == ["east", "west"])
        let name = ObjectKey(of: root).name
        #expect(placement.leaves.map(\.name) == ["\(name)--east", "\(name)--west"])
        #expect(placement.warnings.isEmpty)
    }

    @Test("backends named twice count once; a kind's backends are found where the design says")
    func backends() {
        #expect(RootKind.ingress.backendServiceNames(of: Fixtures.ingress) == ["api", "web"])
        #expect(RootKind.route.backendServiceNames(of: Fixtures.route) == ["api", "web"])
        // Another namespace and another kind are not this route's Services; its own namespace named is.
        #expect(RootKind.httpRoute.backendServiceNames(of: Fixtures.httpRoute) == ["api", "web"])
    }

    @Test("a backend whose Service moves to another cluster moves the leaf")
    func moves() {
        let before = Placement.decide(root: Fixtures.route, kind: .route, service: twoClusters)
        let moved = Fixtures.lookup([
            Fixtures.service("web", cluster: "north"), Fixtures.service("api", cluster: "west"),
        ])
        let after = Placement.decide(root: Fixtures.route, kind: .route, service: moved)
        #expect(before.clusters == ["east", "west"])
        #expect(after.clusters == ["north", "west"])
        #expect(after.leaves.map(\.name) == ["legacy--north", "legacy--west"])
    }

    @Test("two backends on one cluster give one leaf")
    func sameCluster() {
        let one = Fixtures.lookup([Fixtures.service("web", cluster: "east"), Fixtures.service("api", cluster: "east")])
        let placement = Placement.decide(root: Fixtures.ingress, kind: .ingress, service: one)
        #expect(placement.clusters == ["east"])
        #expect(placement.leaves.count == 1)
    }

    @Test("no labelled backend: no leaves, the annotation removed, and warnings saying why")
    func unplaced() {
        let none = Fixtures.lookup([Fixtures.service("web", cluster: nil)])
        let placement = Placement.decide(root: Fixtures.ingress, kind: .ingress, service: none)
        #expect(placement.clusters.isEmpty && placement.leaves.isEmpty)
        #expect(
            placement.rootPatch.json
                == Fixtures.parse(#"[{"op":"remove","path":"/metadata/annotations/kcp.dev~1clusters"}]"#))
        #expect(
            placement.warnings == [
                "ingress front gets no leaves: no backend Service carries the kcp.dev/cluster label",
                "Service api not found: its traffic is placed on no cluster",
                "Service web has no kcp.dev/cluster label: placed on no cluster",
            ])
        #expect(placement.warnings.allSatisfy { $0.count <= 120 })
    }

    @Test("a Service in another logical cluster or namespace never serves the root")
    func logicalClusters() {
        let elsewhere = Fixtures.lookup([
            Fixtures.service("web", cluster: "east", logicalCluster: "root:org:team"),
            Fixtures.service("api", namespace: "other", cluster: "west"),
        ])
        #expect(Placement.decide(root: Fixtures.route, kind: .route, service: elsewhere).clusters.isEmpty)

        var inWorkspace = Fixtures.route
        inWorkspace["metadata"]?["annotations"] = ["kcp.io/cluster": "root:org:team"]
        let placement = Placement.decide(root: inWorkspace, kind: .route, service: elsewhere)
        #expect(placement.clusters == ["east"])
        #expect(placement.root.description == "root:org:team|shop/legacy")
    }
}
