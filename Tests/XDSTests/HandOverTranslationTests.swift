import KubeAPI
import Placement
import Testing
import XDS

/// Make before break in the route table: a Service relabelled onto another
/// cluster keeps routing to the cluster it leaves until the new one reports
/// a gateway (the status loop keeps the old leaf until then).
@Suite("Translation while a root hands over to another cluster")
struct HandOverTranslationTests {
    static let front = Objects.root(
        .ingress, "front",
        spec: """
            {"rules":[{"host":"front.example.com","http":{"paths":[
              {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}},
              {"path":"/api","pathType":"Exact","backend":{"service":{"name":"api","port":{"number":80}}}}]}}]}
            """)

    static func leaf(_ cluster: String, reporting: Bool) -> JSON {
        Objects.leaf(
            of: front, cluster: cluster, status: reporting ? Objects.loadBalancer(Objects.gatewayIP[cluster]!) : nil)
    }

    static func weights(_ leaves: [JSON], services: [JSON]) throws -> [[String: UInt32]] {
        let source = RootSource(kind: .ingress, object: front, leaves: leaves)
        let host = try #require(Objects.translate([source], services: services).virtualHost("front"))
        return host.routes.map(\.action.weights)
    }

    @Test("web moved from east to north: its routes stay on east until north's leaf reports, then go to north")
    func movedService() throws {
        let moved = [Objects.service("web", cluster: "north"), Objects.service("api", cluster: "west")]
        // North's leaf is not written yet, then written without an address: east still serves web.
        for north in [[], [Self.leaf("north", reporting: false)]] {
            let leaves = [Self.leaf("east", reporting: true), Self.leaf("west", reporting: true)] + north
            #expect(
                try Self.weights(leaves, services: moved) == [
                    [Objects.cluster("west"): 1], [Objects.cluster("east"): 1],
                ])
        }
        // North reports: web goes there, though east's leaf is still stored.
        let reported = [
            Self.leaf("east", reporting: true), Self.leaf("west", reporting: true), Self.leaf("north", reporting: true),
        ]
        #expect(
            try Self.weights(reported, services: moved) == [
                [Objects.cluster("west"): 1], [Objects.cluster("north"): 1],
            ])
    }

    @Test("a cluster still placed is not handed over from: a Service placed where no leaf reports leads nowhere")
    func placedClusterIsNotAFallback() throws {
        // Both on east, which reports; api moves to north, which has no leaf:
        // east still serves web, so it is no hand-over source for api.
        let services = [Objects.service("web", cluster: "east"), Objects.service("api", cluster: "north")]
        let actions = try Self.weights([Self.leaf("east", reporting: true)], services: services)
        #expect(actions == [[:], [Objects.cluster("east"): 1]])
    }
}
