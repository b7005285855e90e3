import EnvoyTestSupport
import Foundation
import Testing

/// A real Envoy fed by serve's xDS server: roots and leaves in the
/// development API server, stand-in gateways for two clusters, curl
/// through Envoy's listener.
@Suite("xDS end to end: Envoy routed by serve", .serialized, .timeLimit(.minutes(4)))
struct XDSEndToEndTests {

    typealias Fleet = XDSFleet

    @Test(
        "an Ingress's paths reach the clusters that serve them; its status waits for Envoy", arguments: [false, true])
    func ingress(delta: Bool) async throws {
        let fleet = try await Fleet(delta: delta)
        defer { fleet.stop() }
        try await fleet.system.api.apply(AdmissionEndToEndTests.ingress)
        // No gateway address yet: Envoy answers 503, not 404, and the root does not claim to be reachable.
        try await fleet.envoy.waitFor("503 before any gateway reports an address") {
            try await curl(through: fleet.listenerPort, host: "front.example.com").status == 503
        }
        #expect(try await fleet.get("ingress", "front", "{.status.loadBalancer.ingress[*].hostname}") == "")

        try await fleet.gateway("ingress", "front--east", at: fleet.east)
        try await fleet.gateway("ingress", "front--west", at: fleet.west)
        try await fleet.envoy.waitForRoute(port: fleet.listenerPort, host: "front.example.com", path: "/", to: "east")
        try await fleet.envoy.waitForRoute(
            port: fleet.listenerPort, host: "front.example.com", path: "/api", to: "west")
        // Exact: /api/v1 is not /api, so the Prefix / route (east) takes it.
        let deeper = try await curl(through: fleet.listenerPort, host: "front.example.com", path: "/api/v1")
        #expect(deeper.reply?.cluster == "east")
        // A port in the Host header and upper case still match.
        #expect(
            try await curl(through: fleet.listenerPort, host: "FRONT.example.com:8080", path: "/api").reply?.cluster
                == "west")
        #expect(try await curl(through: fleet.listenerPort, host: "unknown.example.com").status == 404)

        // Envoy holds the routes: the root reports its status host.
        try await fleet.envoy.waitFor("the root reports Envoy's host") {
            try await fleet.get("ingress", "front", "{.status.loadBalancer.ingress[*].hostname}") != ""
        }
        // The time from admission to Envoy's ACK, and on to the status, was measured.
        let metrics = try await run(
            tool("curl"), ["-s", "http://127.0.0.1:\(fleet.system.serve.metricsPort)/metrics"]
        ).stdout
        for stage in ["acked", "status"] {
            let count = metrics.split(separator: "\n").first {
                $0.hasPrefix("kcp_ingress_route_programmed_seconds_count{") && $0.contains("stage=\"\(stage)\"")
            }
            #expect(count.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0 >= 1, "stage \(stage)")
        }
        // Two clusters, shared by whatever roots use them.
        let clusters = try await fleet.envoy.clusters().filter(\.addedViaAPI).map(\.name).sorted()
        #expect(clusters == ["gateway_127.0.0.1:\(fleet.east.port)", "gateway_127.0.0.1:\(fleet.west.port)"].sorted())

        // The west gateway goes away: its path answers 503 and its cluster is withdrawn.
        try await fleet.gateway("ingress", "front--west", at: nil)
        try await fleet.envoy.waitFor("/api answers 503 once west has no address") {
            try await curl(through: fleet.listenerPort, host: "front.example.com", path: "/api").status == 503
        }
        try await fleet.envoy.waitFor("the west cluster is withdrawn") {
            try await fleet.envoy.clusters().filter(\.addedViaAPI).count == 1
        }
        #expect(try await curl(through: fleet.listenerPort, host: "front.example.com").reply?.cluster == "east")
    }
}
