import EnvoyTestSupport
import Foundation
import Testing

/// A Service moving to another physical cluster under load: the root is
/// placed on the new cluster, its syncer reports the new gateway, and
/// Envoy's clients see no failure on the way.
@Suite("xDS end to end: a Service moves between clusters", .serialized, .timeLimit(.minutes(4)))
struct XDSServiceMoveEndToEndTests {
    static let moving = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: moving, namespace: shop}
        spec:
          rules:
          - host: moving.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
        """

    @Test(
        "make before break: api moves from west to east under a steady request loop; not one request fails",
        arguments: [false, true])
    func serviceMoves(delta: Bool) async throws {
        let fleet = try await XDSFleet(delta: delta)
        defer { fleet.stop() }
        try await fleet.system.api.apply(Self.moving)
        try await fleet.gateway("ingress", "moving--west", at: fleet.west)
        try await fleet.envoy.waitForRoute(port: fleet.listenerPort, host: "moving.example.com", to: "west")

        // 300 requests over six seconds; the move starts one second in.
        let loop = Task {
            try await RequestLoop(
                port: fleet.listenerPort, host: "moving.example.com", path: "/steady", count: 300, perSecond: 50
            ).run()
        }
        try await Task.sleep(for: .seconds(1))
        let label = try await fleet.system.api.kubectl([
            "label", "service", "api", "-n", "shop", "kcp.dev/cluster=east", "--overwrite",
        ])
        #expect(label.status == 0, "\(label.stderr)")
        // The east syncer reports its gateway as soon as the new leaf exists,
        // as fast as a syncer could.
        try await fleet.envoy.waitFor("the status loop places the root on east", interval: .milliseconds(20)) {
            try await fleet.system.names("ingress", "kcp.dev/owned-by=moving").contains("moving--east")
        }
        #expect(
            try await fleet.system.names("ingress", "kcp.dev/owned-by=moving") == ["moving--east", "moving--west"],
            "west is kept while east reports no gateway")
        try await fleet.gateway("ingress", "moving--east", at: fleet.east)
        let statuses = try await loop.value

        // Make before break: west keeps its leaf, and the routes, until east
        // reports its gateway; then the west leaf goes.
        #expect(
            statuses.allSatisfy { $0 == 200 },
            "\(statuses.tally); first failure at #\(statuses.firstIndex { $0 != 200 }.map { $0 + 1 } ?? 0)")
        try await fleet.envoy.waitFor("the west leaf is deleted once east routes") {
            try await fleet.system.names("ingress", "kcp.dev/owned-by=moving") == ["moving--east"]
        }
        try await fleet.envoy.waitForRoute(port: fleet.listenerPort, host: "moving.example.com", to: "east")
        let byEast = fleet.east.requests.all.count { $0.path.hasPrefix("/steady?n=") }
        let byWest = fleet.west.requests.all.count { $0.path.hasPrefix("/steady?n=") }
        #expect(byEast > 0 && byWest > 0, "east \(byEast), west \(byWest)")
    }
}
