import Foundation
import Testing

/// `kcp-ingress serve` connected to the development API server: informers
/// gate readiness, and leader election holds and releases a Lease.
@Suite("Serve against the development API server", .timeLimit(.minutes(2)))
struct ServeWithAPIServerTests {
    @Test("ready once informers sync; leads with --leader-elect; releases the Lease on SIGTERM")
    func readyAndLeading() async throws {
        let api = try await DevAPIServerProcess()
        defer { api.stop() }
        let server = try await KCPIngressServer(arguments: [
            "-kubeconfig", api.controllerKubeconfig, "--leader-elect", "--leader-election-namespace", "default",
            "--leader-election-id", "it-leader",
        ])
        defer { server.stop() }
        try await server.process.waitForLine(onStderr: true) { $0.contains("started leading") }
        let ready = try await run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(server.healthPort)/readyz?verbose"])
        #expect(ready.stdout == "[+]certificates ok\n[+]informers ok\nreadyz check passed")
        #expect(try await server.metric("kcp_ingress_leader") == 1)
        let metrics = try await run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(server.metricsPort)/metrics"])
        #expect(metrics.stdout.contains(#"rest_client_requests_total{code="200",method="GET",host="127.0.0.1:"#))
        #expect(metrics.stdout.contains(#"rest_client_request_duration_seconds_count{verb="GET",host="127.0.0.1:"#))
        let held = try await api.kubectl([
            "get", "lease", "it-leader", "-n", "default", "-o", "jsonpath={.spec.holderIdentity}",
        ])
        #expect(!held.stdout.isEmpty)

        server.process.signal(SIGTERM)
        #expect(try await server.process.waitForExit() == 0)
        let released = try await api.kubectl([
            "get", "lease", "it-leader", "-n", "default", "-o",
            "jsonpath={.spec.holderIdentity}|{.spec.leaseDurationSeconds}",
        ])
        #expect(released.stdout == "|1")
    }

    @Test("the development API server restarted under serve: kubeconfigs stay valid, serve keeps informers and lease")
    func apiServerRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-dev-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try await DevAPIServerProcess(directory: directory, persistent: true)
        defer { first.stop() }
        let server = try await KCPIngressServer(arguments: [
            "-kubeconfig", first.controllerKubeconfig, "--leader-elect", "--leader-election-namespace", "default",
        ])
        defer { server.stop() }
        try await server.process.waitForLine(onStderr: true) { $0.contains("started leading") }
        let renewTime = ["get", "lease", "kcp-ingress-leader", "-n", "default", "-o", "jsonpath={.spec.renewTime}"]

        first.process.signal(SIGTERM)
        #expect(try await first.process.waitForExit() == 0)
        let second = try await DevAPIServerProcess(directory: directory, persistent: true, port: first.port)
        defer { second.stop() }
        // The same CA and tokens: the kubeconfig written by the first start still works…
        let before = try await second.kubectl(renewTime)
        #expect(before.status == 0, "\(before.stderr)")
        // …and serve's informers and elector reconnect: its renewals (every 2 s) land on the new process.
        var after = before
        let deadline = ContinuousClock.now + .seconds(30)
        while after.stdout == before.stdout, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            after = try await second.kubectl(renewTime)
        }
        #expect(!after.stdout.isEmpty && after.stdout != before.stdout, "a renewal reached the restarted server")
        let ready = try await run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(server.healthPort)/readyz?verbose"])
        #expect(ready.stdout == "[+]certificates ok\n[+]informers ok\nreadyz check passed")
        #expect(!server.process.stderr.contains { $0.contains("stopped leading") })
    }

    @Test("an API server that does not answer: alive, but not ready, saying which informers wait")
    func unreachableIsNotReady() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-kc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("config")
        try Data(
            """
            apiVersion: v1
            kind: Config
            current-context: nowhere
            clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: nowhere, context: {cluster: nowhere, user: u}}]
            """.utf8
        ).write(to: kubeconfig)
        let server = try await KCPIngressServer(arguments: ["-kubeconfig", kubeconfig.path])
        defer { server.stop() }
        let alive = try await run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(server.healthPort)/healthz"])
        #expect(alive.stdout == "ok")
        let ready = try await run(
            "/usr/bin/curl",
            ["-sS", "-w", "\n%{http_code}", "http://127.0.0.1:\(server.healthPort)/readyz?verbose"])
        #expect(ready.stdout.contains("[-]informers failed: not synced: services, ingresses, httproutes, routes"))
        #expect(ready.stdout.hasSuffix("500"), "as kube-apiserver and controller-runtime answer a failed check")
    }

    @Test("a missing kubeconfig: exit 1 with one line naming the file")
    func missingKubeconfig() async throws {
        let certificates = try await KCPIngressServer.makeCertificates()
        defer { try? FileManager.default.removeItem(at: certificates) }
        let result = try await run(
            KCPIngressServer.binary,
            [
                "-kubeconfig", "/nonexistent/kubeconfig", "-webhook-port", "0",
                "--tls-cert-file", certificates.appendingPathComponent("tls.crt").path,
                "--tls-private-key-file", certificates.appendingPathComponent("tls.key").path,
            ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/kubeconfig: cannot be read"))
    }
}
