import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The development API server process under requests that once took it
/// down, with kubectl as the client.
@Suite("Development API server process under hostile requests", .timeLimit(.minutes(5)))
struct DevAPIServerHostileTests {
    static let ingress =
        #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web","namespace":"default"},"spec":{"rules":[{"host":"web.example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}"#

    @Test("a JSON patch of 30 doubling copies is refused with 422; the server answers /version and stops on SIGTERM")
    func copyAmplificationThenSigterm() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        #expect(try await server.kubectl(["create", "-f", "-"], stdin: Self.ingress).status == 0)
        let copies = (0..<30).map { #"{"op":"copy","from":"/spec","path":"/spec/c\#($0)"}"# }
        let patched = try await server.kubectl([
            "patch", "ingress", "web", "--type", "json", "-p", "[" + copies.joined(separator: ",") + "]",
        ])
        #expect(patched.status != 0)
        #expect(patched.stderr.contains("copy limit"), "\(patched.stderr)")
        let version = try await server.kubectl(["get", "--raw", "/version"])
        #expect(version.stdout.contains("gitVersion"))
        server.process.signal(SIGTERM)
        #expect(try await server.process.waitForExit() == 0)
    }

    @Test(
        "a body over the listener's own limit gets a Status, not text, over HTTP/1.1 and HTTP/2",
        arguments: ["--http1.1", "--http2"])
    func oversizedBodyStatus(version: String) async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        let kubeconfig = try String(contentsOfFile: server.adminKubeconfig, encoding: .utf8)
        let token = try #require(
            kubeconfig.split(separator: "\n").first { $0.contains("token:") }?.split(separator: " ").last)
        let body = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: body) }
        // 8 MiB: past the listener's 7 MiB, so refused before the API server's own checks.
        try Data(("{\"x\":\"" + String(repeating: "a", count: 8 << 20) + "\"}").utf8).write(to: body)
        let result = try await run(
            tool("curl"),
            [
                "-sk", version, "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                "--data-binary", "@\(body.path)", "-w", "\n%{http_code} %{content_type}",
                server.url + "/api/v1/namespaces/default/services",
            ])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.last == "413 application/json", "\(result.stdout.suffix(300))")
        let status =
            try JSONSerialization.jsonObject(with: Data(lines.first.map(String.init)?.utf8 ?? "".utf8))
            as? [String: Any]
        #expect(status?["kind"] as? String == "Status")
        #expect(status?["reason"] as? String == "RequestEntityTooLarge")
        #expect(status?["code"] as? Int == 413)
    }

    @Test("kubectl --dry-run=server create and delete write nothing")
    func serverDryRun() async throws {
        let server = try await DevAPIServerProcess()
        defer { server.stop() }
        #expect(try await server.kubectl(["create", "--dry-run=server", "-f", "-"], stdin: Self.ingress).status == 0)
        #expect(try await server.kubectl(["get", "ingress", "web"]).status != 0, "dry-run create stored nothing")
        #expect(try await server.kubectl(["create", "-f", "-"], stdin: Self.ingress).status == 0)
        let dryDelete = try await server.kubectl(["delete", "ingress", "web", "--dry-run=server"])
        #expect(dryDelete.status == 0, "\(dryDelete.stderr)")
        #expect(try await server.kubectl(["get", "ingress", "web"]).status == 0, "dry-run delete deleted nothing")
    }
}
