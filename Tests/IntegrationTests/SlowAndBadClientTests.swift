import Foundation
import Testing

@Suite("kcp-ingress closes slow, idle and broken clients without harming others", .timeLimit(.minutes(5)))
struct SlowAndBadClientTests {
    @Test("a client that trickles headers is closed after --read-timeout")
    func slowHeaders() async throws {
        let server = try await KCPIngressServer(arguments: ["--read-timeout", "1s", "--idle-timeout", "30s"])
        defer { server.stop() }
        let client = try pythonClient(["slow-headers", "\(server.webhookPort)", server.caFile])
        defer { client.stop() }
        let line = try await client.waitForLine { $0.hasPrefix("closed") || $0 == "still open" }
        #expect(line.hasPrefix("closed after"))
        #expect(try await server.curl("/healthz").code == 200)
    }

    @Test("a client that trickles its body is closed after --read-timeout")
    func slowBody() async throws {
        let server = try await KCPIngressServer(arguments: ["--read-timeout", "1s", "--idle-timeout", "30s"])
        defer { server.stop() }
        let client = try pythonClient(["slow-body", "\(server.webhookPort)", server.caFile])
        defer { client.stop() }
        let line = try await client.waitForLine { $0.hasPrefix("closed") || $0 == "still open" }
        #expect(line.hasPrefix("closed after"))
    }

    @Test("an idle keep-alive connection is closed after --idle-timeout")
    func idle() async throws {
        let server = try await KCPIngressServer(arguments: ["--idle-timeout", "1s"])
        defer { server.stop() }
        let client = try pythonClient(["idle", "\(server.webhookPort)", server.caFile])
        defer { client.stop() }
        try await client.waitForLine { $0 == "response 200" }
        let line = try await client.waitForLine { $0.hasPrefix("closed") || $0 == "still open" }
        #expect(line.hasPrefix("closed after"))
    }

    @Test("garbage instead of a ClientHello is closed and counted; other clients are served")
    func garbage() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let client = try pythonClient(["garbage", "\(server.webhookPort)"])
        defer { client.stop() }
        let line = try await client.waitForLine { $0.hasPrefix("closed") || $0 == "still open" }
        #expect(line.hasPrefix("closed after"))
        #expect(try await server.curl("/healthz").code == 200)
        let failures = try await server.metric(
            #"tls_handshake_failures_total{listener="webhook",reason="unexpected_message"}"#)
        #expect(failures == 1)
    }

    @Test("a truncated handshake is closed after --read-timeout")
    func truncatedHandshake() async throws {
        let server = try await KCPIngressServer(arguments: ["--read-timeout", "1s"])
        defer { server.stop() }
        // Half a ClientHello record header, then silence.
        let started = ContinuousClock.now
        let result = try await run(
            "/bin/bash",
            [
                "-c",
                "exec 3<>/dev/tcp/127.0.0.1/\(server.webhookPort); printf '\\x16\\x03' >&3; timeout 10 cat <&3; echo done",
            ])
        #expect(result.stdout.hasSuffix("done"))
        #expect(ContinuousClock.now - started < .seconds(8), "closed by the server, not by the client's own timeout")
        let timeouts = try await server.metric(
            #"tls_handshake_failures_total{listener="webhook",reason="handshake_timeout"}"#)
        #expect(timeouts == 1)
    }
}
