import Foundation
import Testing

/// kcp-ingress serve as the webhook of the development API server, both real
/// processes, driven by kubectl as a user would.
@Suite("Admission end to end: kubectl, the development API server, serve", .serialized, .timeLimit(.minutes(3)))
struct AdmissionEndToEndTests {
    /// The API server with Services on two clusters, serve against it, and
    /// both webhooks registered with serve's CA.
    final class System: Sendable {
        let api: DevAPIServerProcess
        let serve: KCPIngressServer

        /// A syncer's token (group `kcp-syncers`), for `kubectl --token`.
        static let syncerToken = "syncer-token-for-tests"

        /// - Parameters:
        ///   - grpc: serve's gRPC listener (`-envoyxds`) on a free port, `serve.grpcPort`.
        ///   - serveArguments: more flags for serve, such as `--envoy-listener-port`.
        init(leafWriteTimeout: String = "5s", grpc: Bool = false, serveArguments: [String] = []) async throws {
            let tokens = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)")
            try Data("\(Self.syncerToken),syncer-east,syncer-east,\"kcp-syncers\"\n".utf8).write(to: tokens)
            api = try await DevAPIServerProcess(arguments: ["--token-auth-file", tokens.path])
            try await api.apply(
                """
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: team-b}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop, labels: {kcp.dev/cluster: east}}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: api, namespace: shop, labels: {kcp.dev/cluster: west}}
                spec: {ports: [{port: 80}]}
                """)
            // Started after the Services exist: readiness then means they are in its cache.
            serve = try await KCPIngressServer(
                grpc: grpc,
                arguments: [
                    "-kubeconfig", api.controllerKubeconfig, "--leaf-write-timeout", leafWriteTimeout,
                    "--syncer-groups", "kcp-syncers",
                ] + serveArguments)
            try await serve.waitUntilReady()
            try await registerWebhooks(at: serve)
        }

        /// Registers (or re-points) both webhooks at `serve`, trusting its CA.
        func registerWebhooks(at serve: KCPIngressServer) async throws {
            // Replaced whole: the development API server refuses the strategic merge
            // directives (`$setElementOrder`) a second `kubectl apply` of these would send.
            _ = try await api.kubectl([
                "delete", "--ignore-not-found", "mutatingwebhookconfiguration,validatingwebhookconfiguration",
                "kcp-ingress",
            ])
            let caBundle = try Data(contentsOf: URL(fileURLWithPath: serve.caFile)).base64EncodedString()
            let rules = """
                  rules:
                  - apiGroups: [networking.k8s.io, gateway.networking.k8s.io, route.openshift.io]
                    apiVersions: [v1]
                    operations: [CREATE, UPDATE, DELETE]
                    resources: [ingresses, httproutes, routes]
                """
            let statusRules = """
                  rules:
                  - apiGroups: [networking.k8s.io, gateway.networking.k8s.io, route.openshift.io]
                    apiVersions: [v1]
                    operations: [CREATE, UPDATE, DELETE]
                    resources: [ingresses, httproutes, routes, ingresses/status, httproutes/status, routes/status]
                """
            try await api.apply(
                """
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata: {name: kcp-ingress}
                webhooks:
                - name: mutate.kcp-ingress.kcp.dev
                  clientConfig: {url: "https://127.0.0.1:\(serve.webhookPort)/mutate", caBundle: \(caBundle)}
                \(rules)
                  objectSelector: {matchExpressions: [{key: kcp.dev/cluster, operator: DoesNotExist}]}
                  sideEffects: NoneOnDryRun
                  admissionReviewVersions: [v1]
                  failurePolicy: Fail
                  timeoutSeconds: 10
                ---
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingWebhookConfiguration
                metadata: {name: kcp-ingress}
                webhooks:
                - name: validate.kcp-ingress.kcp.dev
                  clientConfig: {url: "https://127.0.0.1:\(serve.webhookPort)/validate", caBundle: \(caBundle)}
                \(statusRules)
                  sideEffects: None
                  admissionReviewVersions: [v1, v1beta1]
                  failurePolicy: Fail
                  timeoutSeconds: 10
                """)
        }

        func stop() {
            serve.stop()
            api.stop()
        }

        /// `name` of each object of `resource` in `namespace` with `selector`, sorted.
        func names(_ resource: String, _ selector: String, namespace: String = "shop") async throws -> [String] {
            let out = try await api.kubectl([
                "get", resource, "-n", namespace, "-l", selector, "-o", "jsonpath={.items[*].metadata.name}",
            ])
            #expect(out.status == 0, "\(out.stderr)")
            return out.stdout.split(separator: " ").map(String.init).sorted()
        }
    }

    static let ingress = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: front
          namespace: shop
          annotations: {example.com/note: kept}
        spec:
          rules:
          - host: front.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
              - {path: /api, pathType: Exact, backend: {service: {name: api, port: {number: 80}}}}
          tls:
          - {hosts: [front.example.com], secretName: front-tls}
        """

    @Test("an Ingress: its leaves exist when kubectl returns, keep every field, follow the root, go with it")
    func ingressLifecycle() async throws {
        let system = try await System()
        defer { system.stop() }
        let created = try await system.api.apply(Self.ingress)
        #expect(created.contains("created"))
        #expect(try await system.names("ingress", "kcp.dev/owned-by=front") == ["front--east", "front--west"])
        let leaf = try await system.api.kubectl(["get", "ingress", "front--west", "-n", "shop", "-o", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(leaf.stdout.utf8)) as? [String: Any]
        let metadata = object?["metadata"] as? [String: Any]
        let spec = object?["spec"] as? [String: Any]
        #expect((metadata?["labels"] as? [String: String])?["kcp.dev/cluster"] == "west")
        #expect((metadata?["annotations"] as? [String: String])?["example.com/note"] == "kept")
        #expect(((spec?["tls"] as? [[String: Any]])?.first?["secretName"] as? String) == "front-tls")
        let annotation = try await system.api.kubectl([
            "get", "ingress", "front", "-n", "shop", "-o", "jsonpath={.metadata.annotations.kcp\\.dev/clusters}",
        ])
        #expect(annotation.stdout == "east,west")

        // Editing a leaf by hand is refused, saying whose it is.
        let edit = try await system.api.kubectl([
            "label", "ingress", "front--east", "-n", "shop", "touched=yes",
        ])
        #expect(edit.status != 0)
        #expect(edit.stderr.contains("is managed by kcp-ingress: it is the leaf of ingress front for cluster east"))

        // The root loses its west backend: the west leaf goes before kubectl returns.
        try await system.api.apply(Self.ingress.replacingOccurrences(of: "name: api,", with: "name: web,"))
        #expect(try await system.names("ingress", "kcp.dev/owned-by=front") == ["front--east"])

        // controller-runtime's webhook metrics, and the leaf writes by verb.
        let metrics = try await run(tool("curl"), ["-s", "http://127.0.0.1:\(system.serve.metricsPort)/metrics"]).stdout
        #expect(
            metrics.contains(#"controller_runtime_webhook_requests_total{webhook="/mutate",code="200"}"#), "\(metrics)")
        #expect(metrics.contains(#"controller_runtime_webhook_requests_total{webhook="/validate",code="200"}"#))
        #expect(metrics.contains("controller_runtime_webhook_latency_seconds_bucket"))
        // The status loop writes leaves too (it adds the root's uid, known only after CREATE): at least these.
        func count(_ verb: String) -> Int {
            let prefix = #"kcp_ingress_leaf_writes_total{kind="Ingress",verb="\#(verb)",result="success"} "#
            return metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap {
                Int($0.dropFirst(prefix.count))
            } ?? 0
        }
        #expect(count("create") >= 2 && count("delete") >= 1, "\(metrics)")

        // Deleting the root deletes its leaves.
        let deleted = try await system.api.kubectl(["delete", "ingress", "front", "-n", "shop"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(try await system.names("ingress", "kcp.dev/owned-by=front").isEmpty)
    }

    @Test("HTTPRoute and Route: one leaf per cluster, every field kept")
    func otherKinds() async throws {
        let system = try await System()
        defer { system.stop() }
        try await system.api.apply(
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: store, namespace: shop}
            spec:
              hostnames: [store.example.com]
              rules:
              - matches: [{path: {type: PathPrefix, value: /}}]
                filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: x-shop, value: "1"}]}}]
                backendRefs: [{name: web, port: 80}, {name: api, namespace: shop, port: 80}]
            ---
            apiVersion: route.openshift.io/v1
            kind: Route
            metadata: {name: legacy, namespace: shop}
            spec:
              host: legacy.example.com
              to: {kind: Service, name: api}
              tls: {termination: edge}
            """)
        #expect(try await system.names("httproute", "kcp.dev/owned-by=store") == ["store--east", "store--west"])
        #expect(try await system.names("route", "kcp.dev/owned-by=legacy") == ["legacy--west"])
        let filter = try await system.api.kubectl([
            "get", "httproute", "store--east", "-n", "shop", "-o",
            "jsonpath={.spec.rules[0].filters[0].requestHeaderModifier.add[0].name}",
        ])
        #expect(filter.stdout == "x-shop")
        let tls = try await system.api.kubectl([
            "get", "route", "legacy--west", "-n", "shop", "-o", "jsonpath={.spec.tls.termination}",
        ])
        #expect(tls.stdout == "edge")
    }

    @Test("server-side dry run writes nothing and previews the leaves; a host held in another namespace is refused")
    func dryRunAndHosts() async throws {
        let system = try await System()
        defer { system.stop() }
        let dry = try await system.api.kubectl(["apply", "--dry-run=server", "-f", "-"], stdin: Self.ingress)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("would create ingress front--east for cluster east"), "\(dry.stderr)")
        #expect(dry.stderr.contains("would create ingress front--west for cluster west"))
        #expect(try await system.names("ingress", "kcp.dev/owned-by=front").isEmpty)
        let root = try await system.api.kubectl(["get", "ingress", "front", "-n", "shop"])
        #expect(root.status != 0, "the dry run stored no root")

        try await system.api.apply(Self.ingress)
        let claim = try await system.api.kubectl(
            ["apply", "-f", "-"],
            stdin: Self.ingress.replacingOccurrences(of: "namespace: shop", with: "namespace: team-b"))
        #expect(claim.status != 0)
        #expect(
            claim.stderr.contains("host front.example.com is already claimed by ingress shop/front"), "\(claim.stderr)")
    }

    @Test("an API server that cannot take the leaf writes in time: a clear refusal within the deadline, nothing hangs")
    func slowWrites() async throws {
        // A deadline no write can meet: the review must still be answered, as a refusal.
        let system = try await System(leafWriteTimeout: "1ms")
        defer { system.stop() }
        let result = try await system.api.kubectl(["apply", "-f", "-"], stdin: Self.ingress)
        #expect(result.status != 0)
        #expect(result.stderr.contains("could not write the leaves"), "\(result.stderr)")
        #expect(result.stderr.contains("leaf write timeout"), "\(result.stderr)")
        let root = try await system.api.kubectl(["get", "ingress", "front", "-n", "shop"])
        #expect(root.status != 0, "the refused root was not stored")
    }

    @Test("50 concurrent creates: every root has exactly its leaves")
    func concurrentCreates() async throws {
        let system = try await System()
        defer { system.stop() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                let root = Self.ingress.replacingOccurrences(of: "name: front", with: "name: r\(index)")
                    .replacingOccurrences(of: "front.example.com", with: "r\(index).example.com")
                group.addTask { try await system.api.apply(root) }
            }
            try await group.waitForAll()
        }
        let leaves = try await system.names("ingress", "kcp.dev/cluster")
        #expect(leaves.count == 100)
        #expect(Set(leaves) == Set((0..<50).flatMap { ["r\($0)--east", "r\($0)--west"] }))
    }
}

extension DevAPIServerProcess {
    /// `kubectl apply -f -` of `yaml`; fails the test when kubectl does.
    @discardableResult
    func apply(_ yaml: String) async throws -> String {
        let result = try await kubectl(["apply", "-f", "-"], stdin: yaml)
        guard result.status == 0 else { throw TestFailure("kubectl apply failed: \(result.stderr)") }
        return result.stdout
    }
}

extension KCPIngressServer {
    /// Polls `/readyz` until it passes (informers synced), for at most 30 s.
    func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let result = try await run(
                tool("curl"), ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(healthPort)/readyz"])
            if result.stdout == "200" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("serve did not become ready")
    }
}
