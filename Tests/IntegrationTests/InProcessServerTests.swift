import Foundation
import HTTPServer
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TLS
import Testing

/// The HTTPServer library started inside the test process, with routes the
/// real binary does not have, against curl.
@Suite("HTTPServer in process, against curl", .timeLimit(.minutes(2)))
struct InProcessServerTests {
    struct Boom: Error {}

    @Test("a handler that throws yields 500 and the same connection then serves the next request")
    func throwingHandlerKeepsConnection() async throws {
        let certificates = try await KCPIngressServer.makeCertificates()
        defer { try? FileManager.default.removeItem(at: certificates) }
        let context = try TLSContext(
            configuration: .server(
                identity: CertificateKeyPair(
                    certificateChainPEM: Array(try Data(contentsOf: certificates.appendingPathComponent("tls.crt"))),
                    privateKeyPEM: Array(try Data(contentsOf: certificates.appendingPathComponent("tls.key"))))))
        var router = Router()
        router.add(.GET, "/boom") { _ in throw Boom() }
        router.add(.GET, "/healthz") { _ in .text(.ok, "ok") }
        let port = Mutex<Int?>(nil)
        let server = HTTPServer(
            configuration: ServerConfiguration(
                name: "test", address: BindAddress(host: "127.0.0.1", port: 0), tls: { context }),
            router: router,
            logger: Logger(label: "test"),
            onListening: { address in port.withLock { $0 = address.port } })
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        let base = "https://localhost:\(port.withLock { $0 }!)"

        let result = try await run(
            "/usr/bin/curl",
            [
                "-sv", "--http1.1", "--cacert", certificates.appendingPathComponent("ca.crt").path,
                "-w", "\n%{http_code}\n", base + "/boom", base + "/healthz",
            ])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == ["internal error: Boom()", "500", "ok", "200"])
        #expect(result.stderr.contains("Re-using existing connection"))
    }
}
