import Foundation
import Testing

/// kubectl against the embedded development API server, with nothing but `--kubeconfig`.
@Suite("kubectl against the development API server", .timeLimit(.minutes(5)))
struct DevAPIServerKubectlTests {
    static let samples = KCPIngressServer.repository.appendingPathComponent("contrib/samples").path

    @Test("discovery finds every kind, cluster-scoped and namespaced")
    func discovery() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        let resources = try await server.kubectl(["api-resources", "-o", "name"])
        #expect(resources.status == 0)
        #expect(
            Set(resources.stdout.split(separator: "\n").map(String.init)) == [
                "namespaces", "services", "ingresses.networking.k8s.io", "httproutes.gateway.networking.k8s.io",
                "routes.route.openshift.io", "leases.coordination.k8s.io",
                "mutatingwebhookconfigurations.admissionregistration.k8s.io",
                "validatingwebhookconfigurations.admissionregistration.k8s.io",
            ])
        #expect(try await server.kubectl(["get", "namespace", "default", "-o", "name"]).stdout == "namespace/default")
    }

    @Test("create, get -o json, list with -l, patch (merge and json), replace and delete every kind of the samples")
    func crud() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        let created = try await server.kubectl(["create", "-f", Self.samples])
        #expect(created.status == 0, "\(created.stderr)")
        for kind in ["ingress", "service", "httproute", "route"] {
            let object = try await server.kubectl(["get", kind, "shop", "-n", "default", "-o", "json"])
            let json = try JSONSerialization.jsonObject(with: Data(object.stdout.utf8)) as? [String: Any]
            let metadata = json?["metadata"] as? [String: Any]
            #expect(metadata?["uid"] as? String != nil, "\(kind) has a uid")
            #expect(metadata?["generation"] as? Int == 1)
            #expect((metadata?["resourceVersion"] as? String).flatMap(Int.init) != nil)

            #expect(
                try await server.kubectl([
                    "patch", kind, "shop", "--type", "merge", "-p", #"{"metadata":{"labels":{"tier":"web"}}}"#,
                ]).status == 0)
            #expect(
                try await server.kubectl([
                    "patch", kind, "shop", "--type", "json", "-p",
                    #"[{"op":"add","path":"/metadata/annotations","value":{"a":"b"}}]"#,
                ]).status == 0)
            let labelled = try await server.kubectl(["get", kind, "-l", "tier=web", "-o", "name"])
            #expect(labelled.stdout.hasSuffix("/shop"))
            #expect(try await server.kubectl(["get", kind, "-l", "tier=db", "-o", "name"]).stdout.isEmpty)

            let current = try await server.kubectl(["get", kind, "shop", "-o", "json"])
            #expect(try await server.kubectl(["replace", "-f", "-"], stdin: current.stdout).status == 0)
        }
        let deleted = try await server.kubectl(["delete", "-f", Self.samples])
        #expect(deleted.status == 0)
        let gone = try await server.kubectl(["get", "ingress", "shop"])
        #expect(gone.status != 0)
        #expect(gone.stderr.contains(#"ingresses.networking.k8s.io "shop" not found"#))
    }

    @Test("kubectl apply twice, changed in between, updates the object and bumps generation")
    func apply() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        let sample = try String(contentsOfFile: Self.samples + "/ingress.yaml", encoding: .utf8)
        #expect(try await server.kubectl(["apply", "-f", "-"], stdin: sample).status == 0)
        let changed = sample.replacingOccurrences(of: "number: 8080", with: "number: 9090")
        let second = try await server.kubectl(["apply", "-f", "-"], stdin: changed)
        #expect(second.stdout.contains("configured"))
        let port = try await server.kubectl([
            "get", "ingress", "shop", "-o",
            "jsonpath={.spec.rules[0].http.paths[0].backend.service.port.number} {.metadata.generation}",
        ])
        #expect(port.stdout == "9090 2")
    }

    @Test("kubectl get -w sees changes as they happen, within a bounded time")
    func watch() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        #expect(try await server.kubectl(["create", "-f", Self.samples + "/ingress.yaml"]).status == 0)
        let watcher = try ChildProcess(
            "/usr/bin/kubectl",
            [
                "--kubeconfig", server.adminKubeconfig, "get", "ingress", "--watch", "--output-watch-events", "-o",
                "json", "--request-timeout", "20s",
            ])
        defer { watcher.stop() }
        try await watcher.waitForLine { $0.contains(#""ADDED""#) }
        #expect(try await server.kubectl(["label", "ingress", "shop", "x=y"]).status == 0)
        try await watcher.waitForLine { $0.contains(#""MODIFIED""#) }
        #expect(try await server.kubectl(["delete", "ingress", "shop"]).status == 0)
        try await watcher.waitForLine { $0.contains(#""DELETED""#) }
    }

    @Test("errors are Status objects kubectl prints: AlreadyExists, NotFound namespace, Invalid name, Unauthorized")
    func errors() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        _ = try await server.kubectl(["create", "-f", Self.samples + "/service.yaml"])
        let again = try await server.kubectl(["create", "-f", Self.samples + "/service.yaml"])
        #expect(again.stderr.contains(#"Error from server (AlreadyExists): error when creating"#))
        let missing = try await server.kubectl(
            ["create", "-n", "nowhere", "-f", "-"],
            stdin: #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"}}"#)
        #expect(missing.stderr.contains(#"namespaces "nowhere" not found"#))
        let invalid = try await server.kubectl(
            ["create", "-f", "-"], stdin: #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"Not_Valid"}}"#)
        #expect(invalid.stderr.contains("Invalid"))
        let anonymous = try await run(
            "/usr/bin/curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}", server.url + "/api/v1/namespaces"])
        #expect(anonymous.stdout == "401")
    }
}

@Suite("Python's kubernetes client against the development API server", .timeLimit(.minutes(2)))
struct DevAPIServerPythonClientTests {
    @Test("list, create, a conflicting update (409), a status patch, and a watch resumed from a list's version")
    func officialClient() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        let client = try pythonClient(script: "kube_client.py", [server.adminKubeconfig])
        defer { client.stop() }
        try await client.waitForLine(timeout: .seconds(60)) { $0.hasPrefix("watched") || $0.contains("Traceback") }
        #expect(
            client.stdout == [
                "created py-a uid=True", "listed py-a", "conflict 409 True", "status lb.example.com",
                "watched MODIFIED:py-a,MODIFIED:py-a,ADDED:py-b",
            ], "\(client.stderr.suffix(5))")
    }
}
