import Foundation
import KubeAPI
import TestSupport
import Testing

/// `serve --cert-management=self` against the development API server: the
/// CA and serving certificate in a Secret, the webhook configurations'
/// caBundle, restarts, two replicas, and renewal while requests go on.
/// The webhook's names are `localhost…` (`--cert-service-name localhost`),
/// so clients on 127.0.0.1 verify it as they would `kcp-ingress.<ns>.svc`.
@Suite("Self-managed serving certificate", .timeLimit(.minutes(3)))
struct SelfManagedCertificateTests {
    /// The API server with kcp-ingress's two webhook configurations, their
    /// caBundle not yet a certificate (as `deploy/overlays/self-managed` installs them).
    static func apiServer() async throws -> DevAPIServerProcess {
        let api = try await DevAPIServerProcess()
        let placeholder = Base64.encode(Array("not yet".utf8))
        let registered = try await api.kubectl(
            ["create", "-f", "-"],
            stdin: try String(
                contentsOf: KCPIngressServer.repository.appendingPathComponent("contrib/dev/webhooks.yaml"),
                encoding: .utf8
            ).replacingOccurrences(of: "CA_BUNDLE", with: placeholder))
        try #require(registered.status == 0, "\(registered.stderr)")
        return api
    }

    @Test("a fresh start makes the Secret and sets caBundle, and the API server calls the webhook over it")
    func freshStart() async throws {
        let api = try await Self.apiServer()
        defer { api.stop() }
        let replica = try await SelfManagedReplica(api: api)
        defer { replica.stop() }

        let secret = try await api.secretData()
        #expect(Set(secret.keys) == ["ca.crt", "ca.key", "tls.crt", "tls.key"])
        let type = try await api.kubectl(["get", "secret", SelfManagedReplica.secret, "-o", "jsonpath={.type}"])
        #expect(type.stdout == "kubernetes.io/tls")
        for kind in ["mutatingwebhookconfiguration", "validatingwebhookconfiguration"] {
            #expect(try await api.caBundle(kind) == secret["ca.crt"], "\(kind)'s caBundle is the Secret's CA")
        }
        #expect(try replica.servedFiles() == [secret["tls.crt"], secret["tls.key"]])

        // The API server, trusting only caBundle, calls both webhooks over TLS.
        try await api.pointWebhooks(at: replica.port)
        let created = try await api.kubectl(["create", "ingress", "first", "--rule", "a.example.com/=svc:80"])
        #expect(created.status == 0, "\(created.stderr)")
        let (code, _) = try await replica.curl("/healthz", caBundle: try #require(secret["ca.crt"]))
        #expect(code == 200)
    }

    @Test("a restart keeps the CA and the serving pair")
    func restartKeepsCA() async throws {
        let api = try await Self.apiServer()
        defer { api.stop() }
        let first = try await SelfManagedReplica(api: api)
        let before = try await api.secretData()
        first.stop()

        let second = try await SelfManagedReplica(api: api)
        defer { second.stop() }
        let after = try await api.secretData()
        #expect(after == before, "nothing was due, so nothing was made again")
        #expect(try second.servedFiles() == [before["tls.crt"], before["tls.key"]])
        let (code, _) = try await second.curl("/healthz", caBundle: try #require(before["ca.crt"]))
        #expect(code == 200)
    }

    @Test("a Secret of that name that is not kubernetes.io/tls (its type cannot change) is replaced")
    func opaqueSecretReplaced() async throws {
        let api = try await Self.apiServer()
        defer { api.stop() }
        let made = try await api.kubectl(
            ["create", "-f", "-"],
            stdin:
                #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"\#(SelfManagedReplica.secret)","namespace":"default"},"data":{"x":"eA=="}}"#
        )
        try #require(made.status == 0, "\(made.stderr)")
        let replica = try await SelfManagedReplica(api: api)
        defer { replica.stop() }
        let type = try await api.kubectl(["get", "secret", SelfManagedReplica.secret, "-o", "jsonpath={.type}"])
        #expect(type.stdout == "kubernetes.io/tls")
        let secret = try await api.secretData()
        #expect(Set(secret.keys) == ["ca.crt", "ca.key", "tls.crt", "tls.key"])
        let (code, _) = try await replica.curl("/healthz", caBundle: try #require(secret["ca.crt"]))
        #expect(code == 200)
    }

    @Test("two replicas started together agree on one CA")
    func twoReplicasOneCA() async throws {
        let api = try await Self.apiServer()
        defer { api.stop() }
        async let startA = SelfManagedReplica(api: api)
        async let startB = SelfManagedReplica(api: api)
        let (a, b) = try await (startA, startB)
        defer {
            a.stop()
            b.stop()
        }
        let secret = try await api.secretData()
        let bundle = try #require(secret["ca.crt"])
        for replica in [a, b] {
            #expect(try replica.servedFiles() == [secret["tls.crt"], secret["tls.key"]])
            let (code, _) = try await replica.curl("/healthz", caBundle: bundle)
            #expect(code == 200)
        }
        for kind in ["mutatingwebhookconfiguration", "validatingwebhookconfiguration"] {
            #expect(try await api.caBundle(kind) == bundle)
        }
    }
}

/// One `serve --cert-management=self` replica on a free port.
final class SelfManagedReplica: Sendable {
    static let secret = "kcp-ingress-webhook-tls"
    let process: ChildProcess
    let directory: URL
    let port: Int

    init(api: DevAPIServerProcess, validity: String = "2160h") async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-cm-\(UUID().uuidString)")
        process = try ChildProcess(
            KCPIngressServer.binary,
            [
                "serve", "--kubeconfig", api.controllerKubeconfig, "--cert-management", "self",
                "--cert-namespace", "default", "--cert-service-name", "localhost", "--cert-dir", directory.path,
                "--cert-validity", validity, "--webhook-port", "0", "--webhook-bind-address", "127.0.0.1",
                "--health-probe-bind-address", "0", "--metrics-bind-address", "0", "--log-format", "json",
            ],
            environment: ["KUBECONFIG": "", "KUBERNETES_SERVICE_HOST": ""])
        let line = try await process.waitForLine(onStderr: true) {
            $0.contains(#""msg":"listening""#) && $0.contains(#""listener":"webhook""#)
        }
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        guard let port = object?["address"]?.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw TestFailure("no address in \(line)")
        }
        self.port = port
    }

    /// `tls.crt` and `tls.key` as the listener reads them.
    func servedFiles() throws -> [[UInt8]?] {
        ["tls.crt", "tls.key"].map {
            FileManager.default.contents(atPath: directory.appendingPathComponent($0).path).map(Array.init)
        }
    }

    /// curl trusting only `caBundle`, by the certificate's name `localhost`.
    func curl(_ path: String, caBundle: [UInt8]) async throws -> (code: Int, body: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-cm-ca-\(UUID().uuidString).crt")
        try Data(caBundle).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await run(
            "/usr/bin/curl", ["-sS", "--cacert", file.path, "-w", "\n%{http_code}", "https://localhost:\(port)\(path)"])
        let code = Int(result.stdout.split(separator: "\n").last ?? "") ?? 0
        return (code, result.stdout + result.stderr)
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

extension DevAPIServerProcess {
    /// The decoded data of the self-managed Secret, once it exists.
    func secretData() async throws -> [String: [UInt8]] {
        try await waitFor("the Secret \(SelfManagedReplica.secret)") {
            let result = try await kubectl(["get", "secret", SelfManagedReplica.secret, "-o", "json"])
            guard result.status == 0, let data = try JSON(parsing: result.stdout)["data"]?.objectValue else {
                return nil
            }
            return data.reduce(into: [String: [UInt8]]()) { decoded, member in
                decoded[member.key] = member.value.stringValue.flatMap(Base64.decode)
            }
        }
    }

    /// The first webhook's caBundle, decoded.
    func caBundle(_ kind: String) async throws -> [UInt8] {
        let result = try await kubectl(
            ["get", kind, "kcp-ingress", "-o", "jsonpath={.webhooks[0].clientConfig.caBundle}"])
        guard result.status == 0, let bundle = Base64.decode(result.stdout) else {
            throw TestFailure("no caBundle in \(kind): \(result.stderr)")
        }
        return bundle
    }

    /// Both webhook configurations call the replica on `port`, by the name `localhost`.
    func pointWebhooks(at port: Int) async throws {
        for (kind, path) in [
            ("mutatingwebhookconfiguration", "mutate"), ("validatingwebhookconfiguration", "validate"),
        ] {
            let patched = try await kubectl([
                "patch", kind, "kcp-ingress", "--type", "json", "-p",
                #"[{"op":"replace","path":"/webhooks/0/clientConfig/url","value":"https://localhost:\#(port)/\#(path)"}]"#,
            ])
            guard patched.status == 0 else { throw TestFailure("patching \(kind): \(patched.stderr)") }
        }
    }
}
