import Foundation
import HTTPServer
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TLS
import TestSupport
import Testing

/// The HTTPServer library started inside the test process, with routes the
/// real binary does not have, against curl.
@Suite("HTTPServer in process, against curl", .timeLimit(.minutes(2)))
struct InProcessServerTests {
    struct Boom: Error {}

    @Test(
        "a handler that throws yields 500 on a connection that stays usable; streamed bodies and prefix routes work over both HTTP versions"
    )
    func throwingHandlerKeepsConnection() async throws {
        let certificates = try await KCPIngressServer.makeCertificates()
        defer { try? FileManager.default.removeItem(at: certificates) }
        let context = try TLSContext(
            configuration: .server(
                identity: CertificateKeyPair(
                    certificateChainPEM: Array(try Data(contentsOf: certificates.appendingPathComponent("tls.crt"))),
                    privateKeyPEM: Array(try Data(contentsOf: certificates.appendingPathComponent("tls.key")))),
                applicationProtocols: ["h2", "http/1.1"]))
        var router = Router()
        router.add(.GET, "/boom") { _ in throw Boom() }
        router.add(.GET, "/healthz") { _ in .text(.ok, "ok") }
        router.add(.GET, "/stream") { _ in
            .streaming(.ok) { writer in
                for piece in ["one\n", "two\n", "three\n"] {
                    try await writer.write(ByteBuffer(string: piece))
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        router.addPrefix("/api/") { request in .text(.ok, "prefix \(request.method) \(request.path)") }
        let listening = Listening()
        let server = HTTPServer(
            configuration: ServerConfiguration(
                name: "test", address: BindAddress(host: "127.0.0.1", port: 0), protocols: .negotiated,
                tls: { context }),
            router: router,
            logger: Logger(label: "test"),
            onListening: listening.report)
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        let base = "https://localhost:\(try await listening.port())"

        let result = try await run(
            "/usr/bin/curl",
            [
                "-sv", "--http1.1", "--cacert", certificates.appendingPathComponent("ca.crt").path,
                "-w", "\n%{http_code}\n", base + "/boom", base + "/healthz",
            ])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == ["internal error", "500", "ok", "200"], "the error's text stays in the log")
        #expect(result.stderr.contains("Re-using existing connection"))

        // Streamed bodies: chunked on HTTP/1.1, DATA frames on HTTP/2.
        for version in ["--http1.1", "--http2"] {
            let streamed = try await run(
                "/usr/bin/curl",
                [
                    "-sS", "-i", version, "--cacert", certificates.appendingPathComponent("ca.crt").path,
                    base + "/stream",
                ])
            #expect(streamed.stdout.hasSuffix("one\ntwo\nthree"), "\(version)")
            if version == "--http1.1" { #expect(streamed.stdout.lowercased().contains("transfer-encoding: chunked")) }
        }
        // Prefix routes take any method under the prefix.
        let prefixed = try await run(
            "/usr/bin/curl",
            ["-sS", "-X", "PATCH", "--cacert", certificates.appendingPathComponent("ca.crt").path, base + "/api/v1/x"])
        #expect(prefixed.stdout == "prefix PATCH /api/v1/x")
    }
}
