import Foundation
import Testing

/// The real `kcp-ingress` process, on 127.0.0.1, against real clients.
@Suite("kcp-ingress serves HTTPS on OpenSSL to real clients", .timeLimit(.minutes(5)))
struct WebhookListenerTests {
    @Test("curl --http1.1 with the development CA gets 200 ok from /healthz, over TLS 1.3 with ALPN http/1.1")
    func curlHealthz() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let (code, body) = try await server.curl("/healthz")
        #expect(code == 200)
        #expect(body == "ok")

        let verbose = try await run(
            "/usr/bin/curl", ["-sSv", "--http1.1", "--cacert", server.caFile, server.webhookURL + "/healthz"])
        #expect(verbose.stderr.contains("SSL connection using TLSv1.3"))
        #expect(verbose.stderr.contains("ALPN: server accepted http/1.1"))
    }

    @Test("TLS 1.2 works with an ECDHE AEAD cipher; TLS 1.1, 1.0 and SSLv3 hellos are refused and counted")
    func protocolVersions() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let address = "127.0.0.1:\(server.webhookPort)"
        let tls12 = try await run(
            "/usr/bin/openssl", ["s_client", "-connect", address, "-tls1_2", "-CAfile", server.caFile, "-brief"],
            stdin: "")
        #expect(tls12.status == 0)
        #expect(tls12.stderr.contains("Protocol version: TLSv1.2"))
        #expect(tls12.stderr.contains("ECDHE"))

        for version in ["-tls1_1", "-tls1"] {
            // Security level 0 lets the client really offer the old version.
            let old = try await run(
                "/usr/bin/openssl",
                ["s_client", "-connect", address, version, "-cipher", "DEFAULT:@SECLEVEL=0", "-brief"],
                stdin: "")
            #expect(old.status != 0)
            #expect(!old.stderr.contains("Protocol version: TLSv1.1"))
        }
        let refused = try await server.metric(
            #"tls_handshake_failures_total{listener="webhook",reason="unsupported_protocol"}"#)
        #expect(refused == 2)

        // SSLv3, hand-made: OpenSSL answers with a handshake_failure alert (40).
        let sslv3 = try pythonClient(["sslv3", "\(server.webhookPort)"])
        defer { sslv3.stop() }
        try await sslv3.waitForLine { $0 == "alert 40" }
        let tooLow = try await server.metric(
            #"tls_handshake_failures_total{listener="webhook",reason="version_too_low"}"#)
        #expect(tooLow == 1)
        // The refusals harmed nothing.
        #expect(try await server.curl("/healthz").code == 200)
    }

    @Test("a body over --max-request-bytes gets 413 without being read, by length or chunked")
    func oversizedBody() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-8mb-\(UUID().uuidString)")
        try Data(count: 8 * 1024 * 1024).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let byLength = try await server.curl(
            "/healthz", ["-X", "POST", "-H", "Expect:", "--data-binary", "@\(file.path)"])
        #expect(byLength.code == 413)
        #expect(byLength.body.contains("larger than 7340032 bytes"))

        let chunked = try await server.curl(
            "/anything",
            ["-X", "POST", "-H", "Transfer-Encoding: chunked", "-H", "Expect:", "--data-binary", "@\(file.path)"])
        #expect(chunked.code == 413)
        #expect(try await server.curl("/healthz").code == 200)
    }

    @Test("curl is told 100 Continue for its Expect: 100-continue, and HEAD /healthz is answered as GET without a body")
    func expectContinueAndHead() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-2mb-\(UUID().uuidString)")
        try Data(count: 2 * 1024 * 1024).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let expecting = try await run(
            "/usr/bin/curl",
            [
                "-sS", "-v", "--http1.1", "--cacert", server.caFile, "-o", "/dev/null", "-w", "%{http_code}",
                "-H", "Expect: 100-continue", "--data-binary", "@\(file.path)", server.webhookURL + "/healthz",
            ])
        #expect(expecting.stderr.contains("< HTTP/1.1 100 Continue"))
        #expect(expecting.stdout == "405", "the final answer: /healthz takes GET")

        let head = try await run(
            "/usr/bin/curl", ["-sS", "-I", "--http1.1", "--cacert", server.caFile, server.webhookURL + "/healthz"])
        #expect(head.stdout.hasPrefix("HTTP/1.1 200"))
        #expect(head.stdout.lowercased().contains("content-length: 3"))
    }

    @Test("headers over the limit get 431")
    func oversizedHeaders() async throws {
        let server = try await KCPIngressServer(arguments: ["--max-header-bytes", "8192"])
        defer { server.stop() }
        let big = String(repeating: "a", count: 10_000)
        #expect(try await server.curl("/healthz", ["-H", "X-Big: \(big)"]).code == 431)
        #expect(try await server.curl("/healthz", ["-H", "X-Small: abc"]).code == 200)
    }

    @Test("unknown paths get 404, wrong methods 405 with allow")
    func routing() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        #expect(try await server.curl("/nope").code == 404)
        let wrongMethod = try await run(
            "/usr/bin/curl", ["-sS", "-i", "--cacert", server.caFile, "-X", "DELETE", server.webhookURL + "/healthz"])
        #expect(wrongMethod.stdout.contains("405"))
        #expect(wrongMethod.stdout.lowercased().contains("allow: get"))
    }

    @Test("pipelined requests are answered in order on one connection")
    func pipelining() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let client = try pythonClient(["pipeline", "\(server.webhookPort)", server.caFile])
        defer { client.stop() }
        try await client.waitForLine { $0 == "statuses 200,404,200" }
    }

    @Test("probes: /healthz and /readyz?verbose on the probe port, metrics on the metrics port")
    func probesAndMetrics() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let health = try await run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(server.healthPort)/healthz"])
        #expect(health.stdout == "ok")
        let ready = try await run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(server.healthPort)/readyz?verbose"])
        #expect(ready.stdout == "[+]certificates ok\nreadyz check passed")
        _ = try await server.curl("/healthz")
        let served = try await server.metric(
            #"http_requests_total{listener="webhook",path="/healthz",method="GET",code="200"}"#)
        #expect(served == 1)
        #expect(try await server.metric(#"http_open_connections{listener="webhook"}"#) == 0)
    }
}
