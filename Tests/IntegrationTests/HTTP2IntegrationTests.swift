import Foundation
import Testing

/// HTTP/2 and gRPC on the real binary, with real clients.
@Suite("kcp-ingress speaks HTTP/2 and gRPC to real clients", .timeLimit(.minutes(5)))
struct HTTP2IntegrationTests {
    @Test("curl --http2 over TLS negotiates h2 on the webhook port")
    func curlHTTP2() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let result = try await run(
            "/usr/bin/curl",
            [
                "-sS", "--http2", "--cacert", server.caFile, "-w", "\n%{http_version} %{http_code}",
                server.webhookURL + "/healthz",
            ])
        #expect(result.stdout == "ok\n\n2 200")
    }

    @Test("curl --http2-prior-knowledge reaches the h2c gRPC listener, which answers non-gRPC with 415")
    func curlPriorKnowledge() async throws {
        let server = try await KCPIngressServer(grpc: true)
        defer { server.stop() }
        let result = try await run(
            "/usr/bin/curl",
            [
                "-sS", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                "http://127.0.0.1:\(server.grpcPort!)/",
            ])
        #expect(result.stdout == "2 415")
    }

    @Test("h2load: 4000 requests over 16 connections × 8 streams, all 2xx")
    func h2load() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let result = try await run(
            "/usr/bin/h2load", ["-n", "4000", "-c", "16", "-m", "8", server.webhookURL + "/healthz"],
            timeout: .seconds(60))
        #expect(result.stdout.contains("requests: 4000 total, 4000 started, 4000 done, 4000 succeeded, 0 failed"))
        #expect(result.stdout.contains("status codes: 4000 2xx"))
    }

    @Test("grpcio: Check says SERVING; unknown services and methods get NOT_FOUND and UNIMPLEMENTED")
    func grpcCheck() async throws {
        let server = try await KCPIngressServer(grpc: true)
        defer { server.stop() }
        let client = try pythonClient(script: "health_client.py", ["check", "\(server.grpcPort!)"])
        defer { client.stop() }
        try await client.waitForLine { $0 == "unknown method UNIMPLEMENTED" }
        #expect(client.stdout == ["check SERVING", "unknown service NOT_FOUND", "unknown method UNIMPLEMENTED"])
    }

    @Test("grpcio: Watch sees SERVING, then NOT_SERVING on SIGTERM; the stream ends and the process exits 0")
    func grpcWatch() async throws {
        let server = try await KCPIngressServer(grpc: true)
        defer { server.stop() }
        let client = try pythonClient(script: "health_client.py", ["watch", "\(server.grpcPort!)"])
        defer { client.stop() }
        try await client.waitForLine { $0 == "watch SERVING" }
        server.process.signal(SIGTERM)
        try await client.waitForLine { $0 == "watch NOT_SERVING" }
        try await client.waitForLine { $0 == "watch ended" }
        #expect(try await server.process.waitForExit(timeout: .seconds(20)) == 0)
    }

    @Test(
        "abuse on a raw socket ends with GOAWAY or a closed connection, and other clients are unharmed",
        arguments: [
            ("bad-preface", nil),
            ("settings-33", "goaway 11"),
            ("ping-flood", nil),
            ("continuation-flood", nil),
            ("rst-flood", "goaway 2"),
            ("too-many-streams", "goaway 1"),
            ("window-update-overflow", "goaway 3"),
        ] as [(String, String?)])
    func abuse(name: String, goAway: String?) async throws {
        let server = try await KCPIngressServer(grpc: true)
        defer { server.stop() }
        let attacker = try pythonClient(script: "h2_abuse.py", [name, "\(server.grpcPort!)"])
        defer { attacker.stop() }
        try await attacker.waitForLine { $0 == "closed" || $0 == "open" }
        #expect(attacker.stdout.last == "closed")
        if let goAway { #expect(attacker.stdout.contains(goAway)) }

        let client = try pythonClient(script: "health_client.py", ["check", "\(server.grpcPort!)"])
        defer { client.stop() }
        try await client.waitForLine { $0 == "check SERVING" }
    }

    @Test("a header list over SETTINGS_MAX_HEADER_LIST_SIZE is answered (431) on that stream; the connection stays")
    func headerListTooLarge() async throws {
        let server = try await KCPIngressServer(grpc: true)
        defer { server.stop() }
        let attacker = try pythonClient(script: "h2_abuse.py", ["header-list-too-large", "\(server.grpcPort!)"])
        defer { attacker.stop() }
        try await attacker.waitForLine { $0 == "closed" || $0 == "open" }
        #expect(attacker.stdout == ["headers 1", "open"])
    }
}

/// `serve`'s --max-header-bytes and --read-timeout hold on HTTP/2 as they do
/// on HTTP/1.1, with a hand-made h2 client over TLS.
@Suite("kcp-ingress applies its request limits to HTTP/2", .timeLimit(.minutes(3)))
struct HTTP2LimitsIntegrationTests {
    @Test("--max-header-bytes: a header list over it gets 431 on that stream, and the next stream is served")
    func maxHeaderBytes() async throws {
        // 16 KB of headers: within the 64 KiB default, over the 8 KiB asked for.
        let server = try await KCPIngressServer(arguments: ["--max-header-bytes", "8192"])
        defer { server.stop() }
        let client = try pythonClient(
            script: "h2_limits.py", ["big-headers", "\(server.webhookPort)", server.caFile, "16000"])
        defer { client.stop() }
        try await client.waitForLine { $0 == "closed" || $0 == "open" }
        #expect(client.stdout == ["status 1 431", "status 3 200", "open"])
    }

    @Test("--read-timeout: a stream whose body stalls is reset after it; the connection and other streams go on")
    func readTimeout() async throws {
        let server = try await KCPIngressServer(arguments: ["--read-timeout", "1s"])
        defer { server.stop() }
        let client = try pythonClient(script: "h2_limits.py", ["stall", "\(server.webhookPort)", server.caFile])
        defer { client.stop() }
        try await client.waitForLine { $0 == "closed" || $0 == "open" }
        #expect(client.stdout.first == "status 3 200")
        #expect(client.stdout.contains { $0.hasPrefix("reset 1 8 after") }, "\(client.stdout)")
        #expect(client.stdout.last == "open")
    }
}
