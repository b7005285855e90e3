import Foundation
import Testing

/// The status loop in serve, against the development API server, with the
/// webhooks registered and a syncer writing leaf status as itself.
@Suite("Status loop end to end", .serialized, .timeLimit(.minutes(3)))
struct StatusLoopEndToEndTests {
    typealias System = AdmissionEndToEndTests.System

    /// Polls `check` every 100 ms until it holds, for at most `within`.
    func eventually(
        within: Duration = .seconds(20), _ what: String, _ check: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if try await check() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("not within \(within): \(what)")
    }

    func syncerWritesStatus(_ system: System, ingress leaf: String, ip: String) async throws {
        let result = try await system.api.kubectl([
            "--token", System.syncerToken, "patch", "ingress", leaf, "-n", "shop", "--subresource=status",
            "--type=merge", "-p", #"{"status":{"loadBalancer":{"ingress":[{"ip":"\#(ip)"}]}}}"#,
        ])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// `controller_runtime_reconcile_total` of the status loop, all results.
    func reconcileCount(_ system: System) async throws -> Int {
        let metrics = try await run(tool("curl"), ["-s", "http://127.0.0.1:\(system.serve.metricsPort)/metrics"]).stdout
        return metrics.split(separator: "\n")
            .filter { $0.hasPrefix("controller_runtime_reconcile_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            .reduce(0, +)
    }

    func get(_ system: System, _ resource: String, _ name: String, _ path: String) async throws -> String {
        try await system.api.kubectl(["get", resource, name, "-n", "shop", "-o", "jsonpath=\(path)"]).stdout
    }

    @Test("leaf statuses written by a syncer become the root's, once; nothing else in the root changes")
    func ingressStatus() async throws {
        let system = try await System()
        defer { system.stop() }
        try await system.api.apply(AdmissionEndToEndTests.ingress)
        let specBefore = try await get(system, "ingress", "front", "{.spec}")
        try await syncerWritesStatus(system, ingress: "front--east", ip: "192.0.2.1")
        try await syncerWritesStatus(system, ingress: "front--west", ip: "192.0.2.2")
        try await eventually("the root shows both addresses") {
            try await get(system, "ingress", "front", "{.status.loadBalancer.ingress[*].ip}") == "192.0.2.1 192.0.2.2"
        }
        #expect(try await get(system, "ingress", "front", "{.spec}") == specBefore)
        let version = try await get(system, "ingress", "front", "{.metadata.resourceVersion}")

        // A leaf status change that merges to the same root status: reconciled, and no root write.
        let reconciles = try await reconcileCount(system)
        let duplicate = try await system.api.kubectl([
            "--token", System.syncerToken, "patch", "ingress", "front--east", "-n", "shop", "--subresource=status",
            "--type=merge", "-p", #"{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"},{"ip":"192.0.2.1"}]}}}"#,
        ])
        #expect(duplicate.status == 0, "\(duplicate.stderr)")
        try await eventually("the loop reconciled the change") { try await reconcileCount(system) > reconciles }
        #expect(try await get(system, "ingress", "front", "{.metadata.resourceVersion}") == version)

        // A real change is written.
        try await syncerWritesStatus(system, ingress: "front--west", ip: "192.0.2.3")
        try await eventually("the root follows the new address") {
            try await get(system, "ingress", "front", "{.status.loadBalancer.ingress[*].ip}") == "192.0.2.1 192.0.2.3"
        }

        // A syncer may write status, nothing else.
        let spec = try await system.api.kubectl([
            "--token", System.syncerToken, "label", "ingress", "front--east", "-n", "shop", "x=y",
        ])
        #expect(spec.status != 0 && spec.stderr.contains("managed by kcp-ingress"))
    }

    @Test("a Service moved to another cluster moves the leaf; a leaf deleted behind its back comes back")
    func convergence() async throws {
        let system = try await System()
        defer { system.stop() }
        try await system.api.apply(AdmissionEndToEndTests.ingress)
        #expect(try await system.names("ingress", "kcp.dev/owned-by=front") == ["front--east", "front--west"])

        let moved = try await system.api.kubectl([
            "label", "service", "api", "-n", "shop", "--overwrite", "kcp.dev/cluster=north",
        ])
        #expect(moved.status == 0, "\(moved.stderr)")
        try await eventually("the west leaf moved north") {
            try await system.names("ingress", "kcp.dev/owned-by=front") == ["front--east", "front--north"]
        }
        try await eventually("the root's annotation follows") {
            try await get(system, "ingress", "front", "{.metadata.annotations.kcp\\.dev/clusters}") == "east,north"
        }

        // The controller's identity may delete a leaf (the admin may not); the loop restores it.
        let deleted = try await run(
            tool("kubectl"),
            ["--kubeconfig", system.api.controllerKubeconfig, "delete", "ingress", "front--east", "-n", "shop"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        try await eventually("the deleted leaf is back") {
            try await system.names("ingress", "kcp.dev/owned-by=front") == ["front--east", "front--north"]
        }
    }

    @Test("leaves whose root never comes are collected after the grace period, not before")
    func orphans() async throws {
        let system = try await System(serveArguments: ["--orphan-grace-period", "3s"])
        defer { system.stop() }
        let orphan = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: ghost--east
              namespace: shop
              labels: {kcp.dev/cluster: east, kcp.dev/owned-by: ghost}
              annotations: {kcp.dev/owned-by: ghost}
            spec:
              defaultBackend: {service: {name: web, port: {number: 80}}}
            """
        let created = try await run(
            tool("kubectl"), ["--kubeconfig", system.api.controllerKubeconfig, "apply", "-f", "-"], stdin: orphan)
        #expect(created.status == 0, "\(created.stderr)")
        let start = ContinuousClock.now
        try await eventually(within: .seconds(30), "the orphan is collected") {
            try await system.names("ingress", "kcp.dev/owned-by=ghost").isEmpty
        }
        #expect(start.duration(to: .now) >= .seconds(3), "not before the grace period")
    }
}
