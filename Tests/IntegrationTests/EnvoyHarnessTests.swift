import EnvoyTestSupport
import Foundation
import KubeAPI
import Testing

/// The Envoy harness against a real Envoy, before the xDS server exists: a
/// static Envoy in front of stand-in gateways, and the project's ADS
/// bootstraps with no xDS server, then with serve's gRPC listener.
@Suite("Envoy harness: a real Envoy, stand-in gateways, curl", .timeLimit(.minutes(2)))
struct EnvoyHarnessTests {
    @Test(
        "a static Envoy sends each host to its stand-in gateway, which answers with its cluster, the host and the path")
    func staticRouting() async throws {
        let east = try await StandInGateway(cluster: "east")
        defer { east.stop() }
        let west = try await StandInGateway(cluster: "west")
        defer { west.stop() }
        let listenerPort = try await FreePort.pick()
        let envoy = try await EnvoyProcess(
            bootstrap: .staticRoutes(
                listenerPort: listenerPort,
                [
                    .init(host: "east.example.com", cluster: east.cluster, port: east.port),
                    .init(host: "west.example.com", cluster: west.cluster, port: west.port),
                ]))
        defer { envoy.stop() }

        // The admin listener answers before the proxy listener is bound.
        try await envoy.waitFor("the proxy listener is bound") {
            try await envoy.listeners().map(\.port) == [listenerPort]
        }
        let toEast = try await envoy.waitForRoute(
            port: listenerPort, host: "east.example.com", path: "/shop/cart?item=1", to: "east")
        #expect(toEast == StandInReply(cluster: "east", host: "east.example.com", path: "/shop/cart?item=1"))
        let toWest = try await curl(through: listenerPort, host: "west.example.com", arguments: ["-X", "DELETE"])
        #expect(toWest.reply == StandInReply(cluster: "west", host: "west.example.com", path: "/", method: "DELETE"))
        // A host no route names gets Envoy's own 404, from no gateway.
        let unknown = try await curl(through: listenerPort, host: "north.example.com")
        #expect(unknown.status == 404)
        #expect(unknown.reply == nil)
        // waitForRoute holds out for the named cluster: east's answer is not west's.
        let wrongCluster = await #expect(throws: EnvoyTestError.self) {
            try await envoy.waitForRoute(port: listenerPort, host: "east.example.com", to: "west", timeout: .seconds(1))
        }
        #expect(wrongCluster?.message.contains(#"last answer: 200 {"cluster":"east""#) == true)
        #expect(east.requests.all.map(\.path).first == "/shop/cart?item=1")
        #expect(west.requests.count == 1)

        let clusters = try await envoy.clusters().sorted { $0.name < $1.name }
        #expect(clusters.map(\.name) == ["east", "west"])
        #expect(clusters.map { $0.hosts.map(\.port) } == [[east.port], [west.port]])
        #expect(clusters.allSatisfy { !$0.addedViaAPI && $0.hosts.allSatisfy { $0.address == "127.0.0.1" } })
        let staticClusters = try await envoy.configs("static_clusters", mask: "cluster.name")
        #expect(Set(staticClusters.compactMap { $0["cluster"]?["name"]?.stringValue }) == ["east", "west"])
        #expect(try await envoy.stat("cluster.east.upstream_rq_200") == east.requests.count)
    }

    @Test(
        "with the project's ADS bootstrap and no xDS server, Envoy runs disconnected and keeps retrying",
        arguments: [false, true])
    func disconnected(delta: Bool) async throws {
        // Nothing listens there: bound, then closed.
        let closedPort = try await FreePort.pick()
        let envoy = try await EnvoyProcess(bootstrap: .ads(xdsPort: closedPort, delta: delta))
        defer { envoy.stop() }

        let bootstrap = try await envoy.configDump(mask: "bootstrap.node,bootstrap.dynamic_resources")
        let dumped = bootstrap["configs"]?[0]?["bootstrap"]
        #expect(dumped?["node"]?["id"]?.stringValue == "kcp-ingress")
        #expect(
            dumped?["dynamic_resources"]?["ads_config"]?["api_type"]?.stringValue == (delta ? "DELTA_GRPC" : "GRPC"))
        try await envoy.waitFor("Envoy failed to reach the xDS server three times") {
            try await envoy.stat("cluster.xds_cluster.upstream_cx_connect_fail") ?? 0 >= 3
        }
        // connected_state is 1 from the moment a stream is opened, before any
        // connection: between retries it reads 1 for a moment.
        try await envoy.waitFor("control_plane.connected_state reads 0") {
            try await envoy.stat("control_plane.connected_state") == 0
        }
        #expect(try await envoy.stat("cluster_manager.cds.update_success") == 0)
        #expect(try await envoy.stat("listener_manager.lds.update_success") == 0)
        #expect(try await envoy.configs("dynamic_active_clusters").isEmpty)
        #expect(try await envoy.configs("dynamic_listeners").isEmpty)
        #expect(try await envoy.clusters().map(\.name) == ["xds_cluster"])
        #expect(try await envoy.listeners().isEmpty)
        // Waiting for its first clusters and listeners (15 s each at most).
        #expect(["PRE_INITIALIZING", "INITIALIZING"].contains(try await envoy.serverState()))
    }

    @Test(
        "with the project's ADS bootstrap, Envoy opens its ADS stream to serve's gRPC listener over HTTP/2 cleartext",
        arguments: [false, true])
    func reachesServe(delta: Bool) async throws {
        let serve = try await KCPIngressServer(grpc: true)
        defer { serve.stop() }
        let envoy = try await EnvoyProcess(
            bootstrap: .ads(xdsPort: try #require(serve.grpcPort), delta: delta), componentLogLevels: "config:debug")
        defer { envoy.stop() }

        let method = delta ? "DeltaAggregatedResources" : "StreamAggregatedResources"
        try await envoy.waitFor("Envoy opened a \(method) stream") {
            let opened = envoy.log().contains("Establishing new gRPC bidi stream to xds_cluster for rpc \(method)")
            let requests = try await envoy.stat("cluster.xds_cluster.upstream_rq_total") ?? 0
            return opened && requests >= 1
        }
        #expect(try await envoy.stat("cluster.xds_cluster.upstream_cx_http2_total") == 1)
        #expect(try await envoy.stat("cluster.xds_cluster.upstream_cx_connect_fail") == 0)
    }

    @Test("Envoy starts with SIGTERM deliverable, though tests run on threads that block it, and stop() ends it")
    func signals() async throws {
        let envoy = try await EnvoyProcess(bootstrap: .ads(xdsPort: try await FreePort.pick()))
        defer { envoy.stop() }
        let status = try String(contentsOfFile: "/proc/\(envoy.pid)/status", encoding: .utf8)
        let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }
            .flatMap { UInt64($0.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16) }
        let sigterm: UInt64 = 1 << (UInt64(SIGTERM) - 1)
        #expect(blocked.map { $0 & sigterm == 0 } == true, "SigBlk: \(String(blocked ?? 0, radix: 16))")
        envoy.stop()
        #expect(!envoy.isRunning)
    }
}
