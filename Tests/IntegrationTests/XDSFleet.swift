import EnvoyTestSupport
import Foundation
import Synchronization
import Testing

/// Serve with its xDS server, an Envoy on it, and two stand-in gateways
/// (clusters east and west): what every xDS end-to-end test drives.
final class XDSFleet: Sendable {
    typealias System = AdmissionEndToEndTests.System

    let system: System
    let envoy: EnvoyProcess
    let east: StandInGateway
    let west: StandInGateway
    let listenerPort: Int
    /// The serve running now: `system.serve` until a test restarts it.
    private let current: Mutex<KCPIngressServer>
    private let serveArguments: [String]

    /// - Parameter envoyComponentLogLevels: Envoy's `--component-log-level`
    ///   (`config:debug` logs every ADS stream closing).
    init(delta: Bool, serveArguments: [String] = [], envoyComponentLogLevels: String? = nil) async throws {
        east = try await StandInGateway(cluster: "east")
        west = try await StandInGateway(cluster: "west")
        listenerPort = try await FreePort.pick()
        self.serveArguments =
            ["--envoy-listener-address", "127.0.0.1", "-envoy-listener-port", "\(listenerPort)"] + serveArguments
        system = try await System(grpc: true, serveArguments: self.serveArguments)
        current = Mutex(system.serve)
        envoy = try await EnvoyProcess(
            bootstrap: .ads(xdsPort: system.serve.grpcPort!, delta: delta), componentLogLevels: envoyComponentLogLevels)
    }

    var serve: KCPIngressServer { current.withLock { $0 } }

    func stop() {
        envoy.stop()
        serve.stop()
        system.stop()
        east.stop()
        west.stop()
    }

    /// Starts a new serve on the gRPC port of the one running now (which
    /// must be gone: the port is taken over), as System started the first;
    /// once it is ready (`serveAgainIsReady`), the webhooks point at it.
    func startServeAgain() async throws -> KCPIngressServer {
        let port = serve.grpcPort!
        let next = try await KCPIngressServer(
            grpc: true,
            arguments: [
                "-kubeconfig", system.api.controllerKubeconfig, "--leaf-write-timeout", "5s",
                "--syncer-groups", "kcp-syncers", "-envoyxds-port", "\(port)",
            ] + serveArguments)
        current.withLock { $0 = next }
        return next
    }

    /// Waits until the restarted serve is ready and points the webhooks at it.
    func serveAgainIsReady() async throws {
        try await serve.waitUntilReady()
        try await system.registerWebhooks(at: serve)
    }

    /// Writes a leaf's status as its cluster's syncer would: its gateway's address.
    func gateway(_ kind: String, _ leaf: String, at gateway: StandInGateway?) async throws {
        let address =
            gateway.map { #"[{"ip":"127.0.0.1","ports":[{"port":\#($0.port),"protocol":"TCP"}]}]"# } ?? "[]"
        let status =
            kind == "ingress"
            ? #"{"status":{"loadBalancer":{"ingress":\#(address)}}}"#
            : #"{"status":{"parents":[]}}"#
        let result = try await system.api.kubectl([
            "--token", System.syncerToken, "patch", kind, leaf, "-n", "shop", "--subresource=status",
            "--type=merge", "-p", status,
        ])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Gives a leaf the `kcp.dev/gateway-addresses` annotation naming
    /// `gateway` (the only address an HTTPRoute leaf can have), as the
    /// controller identity: nobody else may change a leaf.
    func annotateGateway(_ kind: String, _ leaf: String, at gateway: StandInGateway) async throws {
        let result = try await run(
            tool("kubectl"),
            [
                "--kubeconfig", system.api.controllerKubeconfig, "annotate", "--overwrite", kind, leaf, "-n", "shop",
                "kcp.dev/gateway-addresses=127.0.0.1:\(gateway.port)",
            ])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Writes an HTTPRoute leaf's status as its cluster's syncer would:
    /// the cluster's gateway controller accepted (or refused) the route.
    func accept(httpRoute leaf: String, _ accepted: Bool = true) async throws {
        let condition =
            #"{"type":"Accepted","status":"\#(accepted ? "True" : "False")","reason":"\#(accepted ? "Accepted" : "NotAllowedByListeners")","message":"from the cluster","lastTransitionTime":"2026-01-01T00:00:00Z"}"#
        let status =
            #"{"status":{"parents":[{"parentRef":{"name":"gateway"},"controllerName":"example.com/gateway","conditions":[\#(condition)]}]}}"#
        let result = try await system.api.kubectl([
            "--token", System.syncerToken, "patch", "httproute", leaf, "-n", "shop", "--subresource=status",
            "--type=merge", "-p", status,
        ])
        #expect(result.status == 0, "\(result.stderr)")
    }

    func get(_ resource: String, _ name: String, _ path: String) async throws -> String {
        try await system.api.kubectl(["get", resource, name, "-n", "shop", "-o", "jsonpath=\(path)"]).stdout
    }

    /// The sum of every series of a metric on the running serve's /metrics.
    func serveMetric(_ name: String) async throws -> Double {
        let metrics = try await run(tool("curl"), ["-s", "http://127.0.0.1:\(serve.metricsPort)/metrics"]).stdout
        return metrics.split(separator: "\n")
            .filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
    }

    /// Envoy's counters and gauges whose names match `pattern` (a regular
    /// expression), name → value.
    func envoyStats(_ pattern: String) async throws -> [String: Int] {
        let answer = try await envoy.admin("/stats", query: [("filter", pattern)])
        var stats: [String: Int] = [:]
        for line in answer.body.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let value = Int(parts[1].trimmingCharacters(in: .whitespaces)) else { continue }
            stats[String(parts[0])] = value
        }
        return stats
    }
}
