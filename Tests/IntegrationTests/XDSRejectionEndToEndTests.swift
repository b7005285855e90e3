import EnvoyTestSupport
import Foundation
import Testing

/// A root whose routes Envoy refuses: the NACK is contained, reported on
/// the root and in the metrics, never resent in a loop, and the fix is
/// delivered.
@Suite("xDS end to end: Envoy refuses a root", .serialized, .timeLimit(.minutes(4)))
struct XDSRejectionEndToEndTests {
    /// An HTTPRoute whose path is a regular expression RE2 cannot compile:
    /// validation lets it through (only Envoy compiles it), Envoy refuses it.
    static func broken(_ expression: String = "/(unclosed") -> String {
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: broken, namespace: shop}
        spec:
          parentRefs: [{name: gateway}]
          hostnames: [broken.example.com]
          rules:
          - matches: [{path: {type: RegularExpression, value: "\(expression)"}}]
            backendRefs: [{name: web, port: 80}]
        """
    }

    /// The root's Accepted condition for its one parent: `status/reason/message`.
    static func accepted(_ fleet: XDSFleet) async throws -> String {
        let condition = #"{.status.parents[0].conditions[?(@.type=="Accepted")]"#
        return try await fleet.get(
            "httproute", "broken", "\(condition).status}/\(condition).reason}/\(condition).message}")
    }

    /// Every `*.update_rejected` counter Envoy keeps (cds, lds, rds, vhds), summed.
    static func rejectedUpdates(_ fleet: XDSFleet) async throws -> Int {
        try await fleet.envoyStats(#"update_rejected$"#).values.reduce(0, +)
    }

    /// An Ingress routed to both stand-ins, and the refused HTTPRoute beside it.
    static func fleetWithRefusedRoot(delta: Bool) async throws -> XDSFleet {
        let fleet = try await XDSFleet(delta: delta)
        do {
            try await fleet.system.api.apply(AdmissionEndToEndTests.ingress)
            try await fleet.gateway("ingress", "front--east", at: fleet.east)
            try await fleet.gateway("ingress", "front--west", at: fleet.west)
            try await fleet.envoy.waitForRoute(
                port: fleet.listenerPort, host: "front.example.com", path: "/api", to: "west")
            #expect(try await rejectedUpdates(fleet) == 0)
            #expect(try await fleet.serveMetric("kcp_ingress_xds_nacks_total") == 0)
            // Envoy's answers are timed: CDS, LDS and RDS (VHDS too, in delta) ACKed at least once each.
            try await fleet.envoy.waitFor("serve times Envoy's ACKs") {
                try await fleet.serveMetric("kcp_ingress_xds_ack_seconds_count") >= 3
            }

            try await fleet.system.api.apply(broken())
            try await fleet.annotateGateway("httproute", "broken--east", at: fleet.east)
            try await fleet.accept(httpRoute: "broken--east")
            try await fleet.envoy.waitFor("Envoy rejects an update") { try await rejectedUpdates(fleet) > 0 }
        } catch {
            fleet.stop()
            throw error
        }
        return fleet
    }

    @Test(
        "a route Envoy refuses is NACKed: other roots keep routing, the NACK is counted and not resent, the root says why, the fix routes",
        arguments: [false, true])
    func refusedRoot(delta: Bool) async throws {
        let fleet = try await Self.fleetWithRefusedRoot(delta: delta)
        defer { fleet.stop() }
        try await fleet.envoy.waitFor("serve counts the NACK") {
            try await fleet.serveMetric("kcp_ingress_xds_nacks_total") >= 1
        }
        // The other root's routes stay as Envoy held them.
        #expect(try await curl(through: fleet.listenerPort, host: "front.example.com").reply?.cluster == "east")
        #expect(
            try await curl(through: fleet.listenerPort, host: "front.example.com", path: "/api").reply?.cluster
                == "west")
        #expect(try await curl(through: fleet.listenerPort, host: "broken.example.com", path: "/x").status == 404)

        // The root tells its user that the proxy refused it, in Envoy's words.
        try await fleet.envoy.waitFor("the root's Accepted is False, RejectedByProxy") {
            try await Self.accepted(fleet).hasPrefix("False/RejectedByProxy/")
        }
        let message = try await Self.accepted(fleet)
        #expect(message.contains("rejected the routes") && message.contains("(unclosed"), "\(message)")

        // Not resent in a loop: over three seconds, the counts stay where they are.
        let rejectedBefore = try await Self.rejectedUpdates(fleet)
        let nacksBefore = try await fleet.serveMetric("kcp_ingress_xds_nacks_total")
        try await Task.sleep(for: .seconds(3))
        #expect(try await Self.rejectedUpdates(fleet) == rejectedBefore)
        #expect(try await fleet.serveMetric("kcp_ingress_xds_nacks_total") == nacksBefore)
        let rejectedStats = try await fleet.envoyStats("update_rejected$")
        #expect(rejectedBefore <= 2, "\(rejectedStats)")

        // Fixed: the next version is delivered, routes, and the root says so.
        try await fleet.system.api.apply(Self.broken("/fixed/.*"))
        try await fleet.envoy.waitForRoute(
            port: fleet.listenerPort, host: "broken.example.com", path: "/fixed/now", to: "east")
        try await fleet.envoy.waitFor("the root's Accepted is True again") {
            try await Self.accepted(fleet).hasPrefix("True/")
        }
        #expect(try await Self.rejectedUpdates(fleet) == rejectedBefore)
    }

    @Test(
        "while one root stays refused, another root's change still reaches Envoy",
        arguments: [false, true])
    func otherRootsMoveOn(delta: Bool) async throws {
        let fleet = try await Self.fleetWithRefusedRoot(delta: delta)
        defer { fleet.stop() }
        // /api turns from Exact to Prefix: /api/v1 now goes west.
        try await fleet.system.api.apply(
            AdmissionEndToEndTests.ingress.replacingOccurrences(of: "pathType: Exact", with: "pathType: Prefix"))
        // The refused virtual host stays at what Envoy holds; the rest moves on.
        try await fleet.envoy.waitForRoute(
            port: fleet.listenerPort, host: "front.example.com", path: "/api/v1", to: "west", timeout: .seconds(10))
        #expect(try await curl(through: fleet.listenerPort, host: "broken.example.com", path: "/x").status == 404)
    }
}
