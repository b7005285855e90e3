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
        try await reconcileCount(system.serve)
    }

    func reconcileCount(_ serve: KCPIngressServer) async throws -> Int {
        let metrics = try await run(tool("curl"), ["-s", "http://127.0.0.1:\(serve.metricsPort)/metrics"]).stdout
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

    @Test("a root status written by anyone else is put back: a status-only change of a root is reconciled too")
    func rootStatusRestored() async throws {
        let system = try await System()
        defer { system.stop() }
        try await system.api.apply(AdmissionEndToEndTests.ingress)
        try await syncerWritesStatus(system, ingress: "front--east", ip: "192.0.2.1")
        try await eventually("the root shows the address") {
            try await get(system, "ingress", "front", "{.status.loadBalancer.ingress[*].ip}") == "192.0.2.1"
        }
        // The same event as the loop's own write whose echo a stale pass
        // must not ignore: the root's status alone changes.
        let overwrite = try await system.api.kubectl([
            "patch", "ingress", "front", "-n", "shop", "--subresource=status", "--type=merge",
            "-p", #"{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.9"}]}}}"#,
        ])
        #expect(overwrite.status == 0, "\(overwrite.stderr)")
        try await eventually("the merged status is back") {
            try await get(system, "ingress", "front", "{.status.loadBalancer.ingress[*].ip}") == "192.0.2.1"
        }
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

    @Test("HTTPRoute: conditions combined across clusters; another controller's parent entry kept byte for byte")
    func httpRouteStatus() async throws {
        let system = try await System()
        defer { system.stop() }
        try await system.api.apply(
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: store, namespace: shop}
            spec:
              parentRefs: [{name: gw}]
              hostnames: [store.example.com]
              rules: [{backendRefs: [{name: web, port: 80}, {name: api, port: 80}]}]
            """)
        let other =
            #"{"parentRef":{"name":"gw"},"controllerName":"example.com/other","conditions":[{"type":"Accepted","status":"True","reason":"Fine","message":"","lastTransitionTime":"2020-01-01T00:00:00Z"}]}"#
        let written = try await system.api.kubectl([
            "patch", "httproute", "store", "-n", "shop", "--subresource=status", "--type=merge",
            "-p", #"{"status":{"parents":[\#(other)]}}"#,
        ])
        #expect(written.status == 0, "\(written.stderr)")
        for (leaf, status, message) in [("store--east", "True", "ok"), ("store--west", "False", "no gateway gw")] {
            let condition =
                #"{"type":"Accepted","status":"\#(status)","reason":"R","message":"\#(message)","lastTransitionTime":"2026-01-01T00:00:00Z"}"#
            let result = try await system.api.kubectl([
                "--token", System.syncerToken, "patch", "httproute", leaf, "-n", "shop", "--subresource=status",
                "--type=merge", "-p",
                #"{"status":{"parents":[{"parentRef":{"name":"gw"},"controllerName":"kcp.dev/syncer","conditions":[\#(condition)]}]}}"#,
            ])
            #expect(result.status == 0, "\(result.stderr)")
        }
        try await eventually("the merged parent entry appears") {
            try await get(system, "httproute", "store", "{.status.parents[1].conditions[0].status}") == "False"
        }
        #expect(
            try await get(system, "httproute", "store", "{.status.parents[1].conditions[0].message}")
                == "not True on west: west: no gateway gw")
        // Stamped by the status loop when the condition changed: RFC 3339 in UTC, seconds precision.
        let stamp = try await get(system, "httproute", "store", "{.status.parents[1].conditions[0].lastTransitionTime}")
        #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil, "\(stamp)")
        let stamped = try Date(stamp, strategy: .iso8601)
        #expect(abs(stamped.timeIntervalSinceNow) < 300, "\(stamp)")
        let first = try await system.api.kubectl([
            "get", "httproute", "store", "-n", "shop", "-o", "jsonpath={.status.parents[0]}",
        ])
        let kept = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? NSDictionary
        let original = try JSONSerialization.jsonObject(with: Data(other.utf8)) as? NSDictionary
        #expect(kept == original, "another controller's entry is unchanged")
    }

    /// `kcp_ingress_leader` of `serve`: 1 while it holds the Lease.
    func leads(_ serve: KCPIngressServer) async throws -> Bool {
        let metrics = try await run(tool("curl"), ["-s", "http://127.0.0.1:\(serve.metricsPort)/metrics"]).stdout
        return metrics.split(separator: "\n").contains {
            $0 == "kcp_ingress_leader 1" || $0 == "kcp_ingress_leader 1.0"
        }
    }

    @Test("two replicas with --leader-elect: only the leader writes; killed, the other takes over the pending work")
    func leaderElection() async throws {
        let election = ["--leader-elect", "--leader-election-namespace", "default"]
        let system = try await System(serveArguments: election)
        defer { system.stop() }
        let second = try await KCPIngressServer(
            certificates: system.serve.certificates,
            arguments: [
                "-kubeconfig", system.api.controllerKubeconfig, "--syncer-groups", "kcp-syncers",
            ] + election)
        defer { second.process.stop() }
        try await second.waitUntilReady()
        try await system.api.apply(AdmissionEndToEndTests.ingress)

        var leader = system.serve
        var follower = second
        try await eventually("one of them leads") {
            let first = try await leads(system.serve)
            let other = try await leads(second)
            return first || other
        }
        if try await leads(second) { swap(&leader, &follower) }
        try await syncerWritesStatus(system, ingress: "front--east", ip: "192.0.2.1")
        try await eventually("the leader merges the status") {
            try await get(system, "ingress", "front", "{.status.loadBalancer.ingress[*].ip}") == "192.0.2.1"
        }
        #expect(try await reconcileCount(follower) == 0, "the follower reconciles nothing")
        #expect(try await !leads(follower))

        // The leader dies without releasing the Lease; the webhooks move to the survivor.
        leader.process.signal(SIGKILL)
        _ = try await leader.process.waitForExit()
        try await system.registerWebhooks(at: follower)
        try await syncerWritesStatus(system, ingress: "front--west", ip: "192.0.2.2")
        try await eventually(within: .seconds(60), "the survivor takes over and merges the pending change") {
            try await get(system, "ingress", "front", "{.status.loadBalancer.ingress[*].ip}") == "192.0.2.1 192.0.2.2"
        }
        #expect(try await leads(follower))
    }

    /// `rest_client_requests_total` of serve's PATCH requests: its root
    /// status writes (leaves are written with POST, PUT and DELETE, and the
    /// webhook, not the loop, sets the roots' annotation).
    func patchCount(_ serve: KCPIngressServer) async throws -> Int {
        let metrics = try await run(tool("curl"), ["-s", "http://127.0.0.1:\(serve.metricsPort)/metrics"]).stdout
        return metrics.split(separator: "\n")
            .filter { $0.hasPrefix("rest_client_requests_total{") && $0.contains(#"method="PATCH""#) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0) { $0 + Int($1) }
    }

    @Test("a storm of 1,000 leaf status writes over 100 roots: right statuses, root writes bounded by distinct values")
    func storm() async throws {
        let system = try await System()
        defer { system.stop() }
        let roots = (0..<100).map { index in
            AdmissionEndToEndTests.ingress.replacingOccurrences(of: "name: front", with: "name: r\(index)")
                .replacingOccurrences(of: "front.example.com", with: "r\(index).example.com")
        }
        try await system.api.apply(roots.joined(separator: "\n---\n"))
        #expect(try await system.names("ingress", "kcp.dev/cluster").count == 200)
        // The loop's first write of each root (an empty loadBalancer) is done before counting.
        try await eventually(within: .seconds(60), "every root has its first status") {
            let out = try await system.api.kubectl([
                "get", "ingress", "-n", "shop", "-l", "!kcp.dev/cluster", "-o",
                #"jsonpath={range .items[*]}{.status.loadBalancer}{"\n"}{end}"#,
            ])
            return out.stdout.split(separator: "\n").filter { $0 == "{}" }.count == 100
        }
        let before = try await patchCount(system.serve)
        let reconcilesBefore = try await reconcileCount(system.serve)

        // Five writes per leaf, one at a time; each leaf's merged contribution is the same every time.
        let script = KCPIngressServer.repository.appendingPathComponent(
            "Tests/IntegrationTests/clients/leaf_status_storm.py")
        let storm = try await run(
            "/usr/bin/env", ["python3", script.path, system.api.url, System.syncerToken, "shop", "100", "5"],
            timeout: .seconds(120))
        #expect(storm.status == 0 && storm.stdout.hasSuffix("1000"), "\(storm.stderr)")

        let wanted = (0..<100).map { "r\($0):10.1.0.\($0) 10.2.0.\($0)" }.sorted()
        try await eventually(within: .seconds(60), "every root shows both of its leaves' addresses") {
            let out = try await system.api.kubectl([
                "get", "ingress", "-n", "shop", "-l", "!kcp.dev/cluster", "-o",
                #"jsonpath={range .items[*]}{.metadata.name}:{.status.loadBalancer.ingress[*].ip}{"\n"}{end}"#,
            ])
            return out.stdout.split(separator: "\n").map(String.init).sorted() == wanted
        }
        // Each root's merged value took at most two values (one leaf reported, then
        // both), however many times the loop looked at it.
        let writes = try await patchCount(system.serve) - before
        let reconciles = try await reconcileCount(system.serve) - reconcilesBefore
        #expect(
            writes >= 100 && writes <= 200,
            "\(writes) root status writes for 1,000 leaf writes and \(reconciles) reconciles")
    }

    @Test("Route: one status entry per router, from both clusters' leaves")
    func routeStatus() async throws {
        let system = try await System()
        defer { system.stop() }
        try await system.api.apply(
            """
            apiVersion: route.openshift.io/v1
            kind: Route
            metadata: {name: legacy, namespace: shop}
            spec:
              host: legacy.example.com
              to: {kind: Service, name: web}
              alternateBackends: [{kind: Service, name: api}]
            """)
        #expect(try await system.names("route", "kcp.dev/owned-by=legacy") == ["legacy--east", "legacy--west"])
        for cluster in ["east", "west"] {
            let entry =
                #"{"host":"legacy.example.com","routerName":"router-\#(cluster)","conditions":[{"type":"Admitted","status":"True"}]}"#
            let result = try await system.api.kubectl([
                "--token", System.syncerToken, "patch", "route", "legacy--\(cluster)", "-n", "shop",
                "--subresource=status", "--type=merge", "-p", #"{"status":{"ingress":[\#(entry)]}}"#,
            ])
            #expect(result.status == 0, "\(result.stderr)")
        }
        try await eventually("the root lists both routers") {
            try await get(system, "route", "legacy", "{.status.ingress[*].routerName}") == "router-east router-west"
        }
    }
}
