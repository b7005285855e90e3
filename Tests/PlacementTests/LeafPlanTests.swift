import KubeAPI
import Testing

@testable import Placement

/// The writes from a root's stored leaves to its desired ones, and the
/// make-before-break hand-over when its placement moves.
@Suite("Leaf plans: creates, updates, deletes and the hand-over")
struct LeafPlanTests {
    /// The stored leaf of `Fixtures.ingress` on `cluster`, with the gateway
    /// address its syncer reported, if any.
    static func stored(_ cluster: String, address: String?) -> JSON {
        var leaf = Leaf(of: Fixtures.ingress, cluster: cluster).object
        if let address {
            leaf["status"] = ["loadBalancer": ["ingress": [["ip": .string(address)]]]]
        }
        return leaf
    }

    static func names(_ objects: [JSON]) -> [String] { objects.map { ObjectKey(of: $0).name } }

    static let east = Leaf(of: Fixtures.ingress, cluster: "east")

    @Test("a move: the cluster left keeps its leaf while the new cluster's leaf is missing or reports no address")
    func handsOverUntilTheNewClusterRoutes() {
        let west = Self.stored("west", address: "10.0.0.1")
        let notWritten = LeafPlan(desired: [Self.east], existing: [west], kind: .ingress)
        #expect(notWritten.creates.map(\.name) == ["front--east"])
        #expect(notWritten.deletes.isEmpty)
        #expect(Self.names(notWritten.handingOver) == ["front--west"])

        let noAddress = LeafPlan(
            desired: [Self.east], existing: [west, Self.stored("east", address: nil)], kind: .ingress)
        #expect(noAddress.isEmpty, "nothing to write: east exists, west waits for it")
        #expect(Self.names(noAddress.handingOver) == ["front--west"])
    }

    @Test("once the new cluster reports an address, the leaf on the cluster left is deleted")
    func deletesOnceTheNewClusterRoutes() {
        let plan = LeafPlan(
            desired: [Self.east],
            existing: [Self.stored("west", address: "10.0.0.1"), Self.stored("east", address: "10.0.0.2")],
            kind: .ingress)
        #expect(Self.names(plan.deletes) == ["front--west"])
        #expect(plan.handingOver.isEmpty)
    }

    @Test("a leaf that routes nothing itself is not kept: deleted at once, as before")
    func nothingToHandOver() {
        let plan = LeafPlan(desired: [Self.east], existing: [Self.stored("west", address: nil)], kind: .ingress)
        #expect(Self.names(plan.deletes) == ["front--west"])
        #expect(plan.handingOver.isEmpty)
    }

    @Test("a root placed nowhere, or deleted, loses every leaf, addresses or not")
    func nothingDesired() {
        let leaves = [Self.stored("west", address: "10.0.0.1"), Self.stored("east", address: "10.0.0.2")]
        let plan = LeafPlan(desired: [], existing: leaves, kind: .ingress)
        #expect(Self.names(plan.deletes) == ["front--east", "front--west"])
        #expect(plan.handingOver.isEmpty)
    }

    @Test("the address may come from the syncer's gateway-addresses annotation")
    func annotationCounts() {
        var east = Self.stored("east", address: nil)
        east["metadata"]?["annotations"]?[PlacementLabels.gatewayAddressesAnnotation] = "gw.east.example.com:8080"
        let plan = LeafPlan(
            desired: [Self.east], existing: [Self.stored("west", address: "10.0.0.1"), east], kind: .ingress)
        #expect(Self.names(plan.deletes) == ["front--west"])
    }
}
