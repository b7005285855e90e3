import EnvoyTestSupport
import Foundation
import Testing

/// Serve going away and coming back while Envoy routes: Envoy keeps its
/// routes, reconnects, and the new server never tells it they are gone.
@Suite("xDS end to end: serve restarts", .serialized, .timeLimit(.minutes(5)))
struct XDSRestartEndToEndTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var signal: Int32
        var delta: Bool
        var testDescription: String { "\(signal == SIGKILL ? "SIGKILL" : "SIGTERM"), delta \(delta)" }
    }

    /// The connections Envoy has opened to the xDS server so far.
    static func xdsConnections(_ fleet: XDSFleet) async throws -> Int {
        try await fleet.envoyStats(#"^cluster\.xds_cluster\.upstream_cx_total$"#).values.reduce(0, +)
    }

    @Test(
        "serve killed or stopped and started again: requests through Envoy never fail, Envoy reconnects, the new server routes changes",
        arguments: [
            Case(signal: SIGKILL, delta: false), Case(signal: SIGKILL, delta: true),
            Case(signal: SIGTERM, delta: false), Case(signal: SIGTERM, delta: true),
        ])
    func restart(_ restart: Case) async throws {
        let fleet = try await XDSFleet(delta: restart.delta)
        defer { fleet.stop() }
        try await fleet.system.api.apply(AdmissionEndToEndTests.ingress)
        try await fleet.gateway("ingress", "front--east", at: fleet.east)
        try await fleet.gateway("ingress", "front--west", at: fleet.west)
        try await fleet.envoy.waitForRoute(
            port: fleet.listenerPort, host: "front.example.com", path: "/api", to: "west")
        let connections = try await Self.xdsConnections(fleet)
        #expect(connections == 1)

        let loop = Task {
            try await RequestLoop(
                port: fleet.listenerPort, host: "front.example.com", path: "/api", count: 300, perSecond: 50
            ).run()
        }
        try await Task.sleep(for: .seconds(1))
        let old = fleet.serve
        old.process.signal(restart.signal)
        let status = try await old.process.waitForExit(timeout: .seconds(20))
        if restart.signal == SIGTERM { #expect(status == 0) }
        // Envoy notices the server is gone before the new one is up.
        try await fleet.envoy.waitFor("Envoy's stream to the old server closed") {
            try await fleet.envoyStats(#"^cluster\.xds_cluster\.upstream_cx_active$"#).values.reduce(0, +) == 0
        }
        // The API server holds still while the new server starts: its informers
        // cannot sync, and Envoy, connected meanwhile, must keep every route.
        let api = fleet.system.api.process.pid
        kill(api, SIGSTOP)
        do {
            _ = try await fleet.startServeAgain()
            try await fleet.envoy.waitFor("Envoy reconnects to the new server") {
                let active = try await fleet.envoyStats(#"^cluster\.xds_cluster\.upstream_cx_active$"#).values
                return try await Self.xdsConnections(fleet) > connections && active.reduce(0, +) == 1
            }
            try await Task.sleep(for: .seconds(2))
        } catch {
            kill(api, SIGCONT)
            throw error
        }
        kill(api, SIGCONT)
        try await fleet.serveAgainIsReady()
        let statuses = try await loop.value
        #expect(
            statuses.allSatisfy { $0 == 200 },
            "\(statuses.tally); first failure at #\(statuses.firstIndex { $0 != 200 }.map { $0 + 1 } ?? 0)")
        #expect(fleet.west.requests.all.count { $0.path.hasPrefix("/api?n=") } == 300)

        // The new server takes a change through to Envoy, and the root's status.
        try await fleet.system.api.apply(
            AdmissionEndToEndTests.ingress.replacingOccurrences(of: "pathType: Exact", with: "pathType: Prefix"))
        try await fleet.envoy.waitForRoute(
            port: fleet.listenerPort, host: "front.example.com", path: "/api/v1", to: "west")
        try await fleet.envoy.waitFor("the root reports Envoy's host") {
            try await fleet.get("ingress", "front", "{.status.loadBalancer.ingress[*].hostname}") != ""
        }
    }

    @Test(
        "SIGTERM ends Envoy's ADS stream at once, not after --shutdown-grace-period", arguments: [false, true])
    func gracefulShutdownEndsStreams(delta: Bool) async throws {
        let fleet = try await XDSFleet(
            delta: delta, serveArguments: ["--shutdown-grace-period", "20s"], envoyComponentLogLevels: "config:debug")
        defer { fleet.stop() }
        try await fleet.system.api.apply(AdmissionEndToEndTests.ingress)
        try await fleet.gateway("ingress", "front--east", at: fleet.east)
        try await fleet.envoy.waitForRoute(port: fleet.listenerPort, host: "front.example.com", to: "east")
        #expect(try await fleet.envoyStats(#"^cluster\.xds_cluster\.upstream_cx_active$"#).values.first == 1)

        let start = ContinuousClock.now
        fleet.serve.process.signal(SIGTERM)
        try await fleet.envoy.waitFor("Envoy's ADS stream closed", timeout: .seconds(5)) {
            fleet.envoy.log().split(separator: "\n").contains {
                $0.contains("gRPC config stream") && $0.contains("closed")
            }
        }
        let closed = start.duration(to: .now)
        #expect(try await fleet.serve.process.waitForExit(timeout: .seconds(15)) == 0)
        let exited = start.duration(to: .now)
        #expect(
            closed < .seconds(5) && exited < .seconds(10), "stream closed after \(closed), serve exited after \(exited)"
        )
        // Envoy still routes on what it held.
        #expect(try await curl(through: fleet.listenerPort, host: "front.example.com").reply?.cluster == "east")
    }
}
