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
