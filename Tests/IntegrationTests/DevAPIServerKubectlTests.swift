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
                "routes.route.openshift.io", "leases.coordination.k8s.io", "secrets",
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

    /// kubectl's imperative commands send built-in kinds as protobuf: a
    /// Secret's `data` is `map<string, bytes>`, base64 once it is JSON.
    @Test("kubectl create secret generic and tls: data kept byte for byte, the type set")
    func secrets() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        let generic = try await server.kubectl([
            "create", "secret", "generic", "s", "--from-literal=a=hello", "--from-literal=b=\u{1}bin\u{FF}",
        ])
        #expect(generic.status == 0, "\(generic.stderr)")
        let data = try await server.kubectl(["get", "secret", "s", "-o", "jsonpath={.type} {.data.a} {.data.b}"])
        #expect(data.stdout == "Opaque aGVsbG8= AWJpbsO/")
        let certificates = try await KCPIngressServer.makeCertificates()
        defer { try? FileManager.default.removeItem(at: certificates) }
        let tls = try await server.kubectl([
            "create", "secret", "tls", "t", "--cert", certificates.appendingPathComponent("tls.crt").path, "--key",
            certificates.appendingPathComponent("tls.key").path,
        ])
        #expect(tls.status == 0, "\(tls.stderr)")
        let stored = try await server.kubectl(["get", "secret", "t", "-o", "jsonpath={.type} {.data.tls\\.crt}"])
        let parts = stored.stdout.split(separator: " ")
        #expect(parts.first == "kubernetes.io/tls")
        let pem = try #require(parts.last.flatMap { Data(base64Encoded: String($0)) })
        #expect(pem == FileManager.default.contents(atPath: certificates.appendingPathComponent("tls.crt").path))
    }

    @Test("kubectl apply twice, changed in between, updates the object and bumps generation")
    func apply() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        let sample = try String(contentsOfFile: Self.samples + "/1-ingress.yaml", encoding: .utf8)
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
        #expect(try await server.kubectl(["create", "-f", Self.samples + "/1-ingress.yaml"]).status == 0)
        let watcher = try ChildProcess(
            tool("kubectl"),
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
        _ = try await server.kubectl(["create", "-f", Self.samples + "/0-services.yaml"])
        let again = try await server.kubectl(["create", "-f", Self.samples + "/0-services.yaml"])
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

/// kubectl's imperative commands send protobuf; what they store must be
/// what the same command's object stores when sent as JSON.
@Suite("kubectl's imperative commands (protobuf bodies) against the development API server", .timeLimit(.minutes(5)))
struct DevAPIServerKubectlProtobufTests {
    /// Creates with `arguments` (protobuf) in namespace `proto`, and the
    /// object the same command prints with `--dry-run=client -o json`
    /// through `create -f` (JSON) in namespace `json`; returns both as stored.
    static func createBothWays(_ server: DevAPIServerProcess, _ kind: String, _ arguments: [String]) async throws
        -> (protobuf: [String: Any], json: [String: Any])
    {
        let viaProtobuf = try await server.kubectl(["create", "-n", "proto"] + arguments)
        #expect(viaProtobuf.status == 0, "\(arguments): \(viaProtobuf.stderr)")
        let printed = try await server.kubectl(["create", "-n", "json", "--dry-run=client", "-o", "json"] + arguments)
        #expect(printed.status == 0, "\(printed.stderr)")
        let viaJSON = try await server.kubectl(["create", "-f", "-"], stdin: printed.stdout)
        #expect(viaJSON.status == 0, "\(viaJSON.stderr)")
        let name = arguments[kind == "service" ? 2 : 1]
        return (
            try await stored(server, kind, name, namespace: "proto"),
            try await stored(server, kind, name, namespace: "json")
        )
    }

    /// The stored object without what differs between two creations.
    static func stored(_ server: DevAPIServerProcess, _ kind: String, _ name: String, namespace: String?)
        async throws -> [String: Any]
    {
        let got = try await server.kubectl(["get", kind, name, "-o", "json"] + (namespace.map { ["-n", $0] } ?? []))
        var object = try #require(try JSONSerialization.jsonObject(with: Data(got.stdout.utf8)) as? [String: Any])
        var metadata = object["metadata"] as? [String: Any] ?? [:]
        for key in ["uid", "resourceVersion", "creationTimestamp", "namespace"] { metadata[key] = nil }
        object["metadata"] = metadata
        return object
    }

    static func makeNamespaces(_ server: DevAPIServerProcess) async throws {
        for namespace in ["proto", "json"] {
            let created = try await server.kubectl(["create", "namespace", namespace, "-v=8"])
            #expect(created.status == 0, "\(created.stderr.suffix(300))")
            #expect(
                created.stderr.contains("Content-Type: application/vnd.kubernetes.protobuf"), "kubectl sent protobuf")
        }
    }

    @Test("kubectl create namespace stores what the same Namespace sent as JSON stores")
    func namespace() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        try await Self.makeNamespaces(server)
        let printed = try await server.kubectl(["create", "namespace", "shop-json", "--dry-run=client", "-o", "json"])
        #expect(try await server.kubectl(["create", "-f", "-"], stdin: printed.stdout).status == 0)
        var viaProtobuf = try await Self.stored(server, "namespace", "proto", namespace: nil)
        var viaJSON = try await Self.stored(server, "namespace", "shop-json", namespace: nil)
        viaProtobuf["metadata"] = nil
        viaJSON["metadata"] = nil
        #expect(NSDictionary(dictionary: viaProtobuf) == NSDictionary(dictionary: viaJSON))
        #expect((viaProtobuf["status"] as? [String: Any])?["phase"] as? String == "Active")
    }

    @Test(
        "kubectl create ingress, with a host rule, a catch-all, a wildcard prefix, a named port, TLS, a class and a default backend",
        arguments: [
            ["web", "--rule=web.example.com/=web:80"],
            ["catchall", "--rule=/=web:8080"],
            ["prefix", "--rule=shop.example.com/api*=api:http", "--rule=*.example.com/=web:80"],
            [
                "full", "--class=nginx", "--default-backend=fallback:80", "--rule=secure.example.com/=web:443,tls=cert",
                "--annotation=team=shop",
            ],
        ])
    func ingress(_ arguments: [String]) async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        try await Self.makeNamespaces(server)
        let (viaProtobuf, viaJSON) = try await Self.createBothWays(server, "ingress", ["ingress"] + arguments)
        #expect(NSDictionary(dictionary: viaProtobuf) == NSDictionary(dictionary: viaJSON))
        let spec = viaProtobuf["spec"] as? [String: Any]
        #expect(spec?["rules"] != nil || spec?["defaultBackend"] != nil, "the rules arrived: \(viaProtobuf)")
    }

    @Test(
        "kubectl create service: clusterip with numbered and named target ports, nodeport, externalname",
        arguments: [
            ["clusterip", "web", "--tcp=80:8080", "--tcp=443:https"],
            ["nodeport", "web", "--tcp=80:8080", "--node-port=30080"],
            ["externalname", "web", "--external-name=shop.example.com"],
        ])
    func service(_ arguments: [String]) async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        try await Self.makeNamespaces(server)
        let (viaProtobuf, viaJSON) = try await Self.createBothWays(server, "service", ["service"] + arguments)
        #expect(NSDictionary(dictionary: viaProtobuf) == NSDictionary(dictionary: viaJSON))
        let spec = viaProtobuf["spec"] as? [String: Any]
        switch arguments[0] {
        case "clusterip":
            let ports = spec?["ports"] as? [[String: Any]]
            #expect(ports?.map { "\($0["port"] ?? "")>\($0["targetPort"] ?? "")" } == ["80>8080", "443>https"])
        case "nodeport":
            #expect((spec?["ports"] as? [[String: Any]])?.first?["nodePort"] as? Int == 30080)
        default:
            #expect(spec?["externalName"] as? String == "shop.example.com")
        }
    }
}

/// `kubectl get` prints the columns kube-apiserver's Tables give each kind.
@Suite("kubectl get prints the development API server's Tables", .timeLimit(.minutes(5)))
struct DevAPIServerKubectlTableTests {
    /// kubectl's printed lines, ages (which depend on timing) as `<age>`:
    /// an age and the padding after it (the column is as wide as its
    /// header for ages under 100s), or an age ending the line.
    static func printed(_ server: DevAPIServerProcess, _ arguments: [String]) async throws -> [String] {
        let result = try await server.kubectl(["get"] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return result.stdout.split(separator: "\n").map { normaliseAge(String($0)) }
    }

    /// What `kubectl get ARGUMENTS` printed, ages normalised, against
    /// `expected`; a mismatch shows everything kubectl printed.
    static func expectPrinted(
        _ server: DevAPIServerProcess, _ arguments: [String], _ expected: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let lines = try await printed(server, arguments)
        #expect(
            lines == expected, "kubectl get \(arguments) printed:\n\(lines.joined(separator: "\n"))",
            sourceLocation: sourceLocation)
    }

    static func normaliseAge(_ line: String) -> String {
        line.replacing(#/\b\d{1,2}s +(?=\S)/#, with: "<age> ").replacing(#/\b\d{1,2}s *$/#, with: "<age>")
    }

    static let lease =
        #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"kcp-ingress","namespace":"default"},"spec":{"holderIdentity":"replica-a","leaseDurationSeconds":15}}"#
    static let webhooks =
        #"{"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","metadata":{"name":"kcp-ingress"},"webhooks":[{"name":"a.kcp.dev","clientConfig":{"url":"https://127.0.0.1:1/a"},"rules":[{"operations":["CREATE"],"apiGroups":["example.com"],"apiVersions":["v1"],"resources":["nothing"]}],"failurePolicy":"Ignore","sideEffects":"None","admissionReviewVersions":["v1"]},{"name":"b.kcp.dev","clientConfig":{"url":"https://127.0.0.1:1/b"},"rules":[{"operations":["CREATE"],"apiGroups":["example.com"],"apiVersions":["v1"],"resources":["nothing"]}],"failurePolicy":"Ignore","sideEffects":"None","admissionReviewVersions":["v1"]}]}"#

    @Test("each kind's columns, -o wide's Selector, -L and --show-labels, as against a real cluster")
    func columns() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        #expect(try await server.kubectl(["create", "-f", DevAPIServerKubectlTests.samples]).status == 0)
        #expect(try await server.kubectl(["create", "-f", "-"], stdin: Self.lease).status == 0)
        #expect(try await server.kubectl(["create", "-f", "-"], stdin: Self.webhooks).status == 0)
        #expect(try await server.kubectl(["create", "service", "clusterip", "web", "--tcp=80:8080"]).status == 0)

        try await Self.expectPrinted(
            server, ["ingress"],
            [
                "NAME   CLASS    HOSTS                            ADDRESS   PORTS   AGE",
                "shop   <none>   shop.kcp-apps.127.0.0.1.nip.io             80      <age>",
            ])
        // The sample Service leaves type and protocol to kube-apiserver's
        // defaulting, which this server does not do: its row prints them empty.
        try await Self.expectPrinted(
            server, ["service", "-o", "wide"],
            [
                "NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE   SELECTOR",
                "shop                   <none>       <unknown>     8080/     <age> app=shop",
                "shop-api               <none>       <unknown>     8080/     <age> app=shop-api",
                "web        ClusterIP   <none>       <none>        80/TCP    <age> app=web",
            ])
        // -A names each row's namespace from its PartialObjectMetadata;
        // --sort-by asks for whole objects (includeObject=Object) to sort by.
        let second = ["create", "ingress", "second", "-n", "kube-public", "--rule=a.example.com/=web:80"]
        #expect(try await server.kubectl(second).status == 0)
        #expect(
            try await Self.printed(server, ["ingress", "-A", "--sort-by=.spec.rules[0].host"]) == [
                "NAMESPACE     NAME     CLASS    HOSTS                            ADDRESS   PORTS   AGE",
                "kube-public   second   <none>   a.example.com                              80      <age>",
                "default       shop     <none>   shop.kcp-apps.127.0.0.1.nip.io             80      <age>",
            ])
        try await Self.expectPrinted(
            server, ["ingress", "-L", "app"],
            [
                "NAME   CLASS    HOSTS                            ADDRESS   PORTS   AGE   APP",
                "shop   <none>   shop.kcp-apps.127.0.0.1.nip.io             80      <age> shop",
            ])
        try await Self.expectPrinted(
            server, ["service", "--show-labels"],
            [
                "NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE   LABELS",
                "shop                   <none>       <unknown>     8080/     <age> kcp.dev/cluster=east",
                "shop-api               <none>       <unknown>     8080/     <age> kcp.dev/cluster=west",
                "web        ClusterIP   <none>       <none>        80/TCP    <age> app=web",
            ])
        try await Self.expectPrinted(
            server, ["namespace", "default", "kube-system"],
            [
                "NAME          STATUS   AGE", "default       Active   <age>", "kube-system   Active   <age>",
            ])
        try await Self.expectPrinted(
            server, ["lease"],
            [
                "NAME          HOLDER      AGE", "kcp-ingress   replica-a   <age>",
            ])
        try await Self.expectPrinted(
            server, ["validatingwebhookconfigurations"],
            [
                "NAME          WEBHOOKS   AGE", "kcp-ingress   2          <age>",
            ])
        try await Self.expectPrinted(
            server, ["httproute"],
            [
                "NAME   HOSTNAMES                               AGE",
                #"shop   ["shop-gw.kcp-apps.127.0.0.1.nip.io"]   <age>"#,
            ])
        try await Self.expectPrinted(
            server, ["route"],
            [
                "NAME   HOST/PORT                              PATH   SERVICES                  PORT    TERMINATION   WILDCARD",
                "shop   shop-route.kcp-apps.127.0.0.1.nip.io   /      shop(83%),shop-api(16%)   <all>                 ",
            ])
    }

    @Test("kubectl get -w prints the table's header once, then a row per change")
    func watch() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        #expect(
            try await server.kubectl(["create", "-f", DevAPIServerKubectlTests.samples + "/1-ingress.yaml"]).status == 0
        )
        let watcher = try ChildProcess(
            tool("kubectl"),
            [
                "--kubeconfig", server.adminKubeconfig, "get", "ingress", "--watch", "--output-watch-events", "-L",
                "tier", "--request-timeout", "20s",
            ])
        defer { watcher.stop() }
        try await watcher.waitForLine { $0.hasPrefix("ADDED") }
        #expect(try await server.kubectl(["label", "ingress", "shop", "tier=web"]).status == 0)
        try await watcher.waitForLine { $0.hasPrefix("MODIFIED") }
        #expect(
            watcher.stdout.map(Self.normaliseAge) == [
                "EVENT      NAME   CLASS    HOSTS                            ADDRESS   PORTS   AGE   TIER",
                "ADDED      shop   <none>   shop.kcp-apps.127.0.0.1.nip.io             80      <age>",
                "MODIFIED   shop   <none>   shop.kcp-apps.127.0.0.1.nip.io             80      <age> web",
            ])
    }
}
