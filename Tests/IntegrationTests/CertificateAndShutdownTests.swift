import Foundation
import Testing

@Suite("kcp-ingress: mutual TLS, certificate reload and graceful shutdown", .timeLimit(.minutes(5)))
struct CertificateAndShutdownTests {
    @Test("with --client-ca-file, a client certificate from another CA is refused and one from the CA accepted")
    func mutualTLS() async throws {
        let certificates = try await KCPIngressServer.makeCertificates(client: true)
        let stranger = try await KCPIngressServer.makeCertificates(client: true)
        defer { try? FileManager.default.removeItem(at: stranger) }
        let server = try await KCPIngressServer(
            certificates: certificates,
            arguments: ["--client-ca-file", certificates.appendingPathComponent("ca.crt").path])
        defer { server.stop() }

        let wrong = try await run(
            "/usr/bin/openssl",
            [
                "s_client", "-connect", "127.0.0.1:\(server.webhookPort)", "-CAfile", server.caFile, "-brief",
                "-cert", stranger.appendingPathComponent("client.crt").path,
                "-key", stranger.appendingPathComponent("client.key").path,
            ], stdin: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(!wrong.stdout.contains("200 OK"))
        let refused = try await server.metric(
            #"tls_handshake_failures_total{listener="webhook",reason="certificate_verify_failed"}"#)
        #expect(refused == 1)

        let none = try await server.curl("/healthz")
        #expect(none.code == 0, "no certificate, no response")

        let right = try await server.curl(
            "/healthz",
            [
                "--cert", certificates.appendingPathComponent("client.crt").path,
                "--key", certificates.appendingPathComponent("client.key").path,
            ])
        #expect(right.code == 200)
    }

    @Test("a certificate swapped by a Secret-style symlink flip serves new connections while an open one keeps working")
    func symlinkFlipReload() async throws {
        let certificates = try await KCPIngressServer.makeCertificates()
        let volume = certificates.appendingPathComponent("volume")
        let fm = FileManager.default
        func publish(_ version: Int) throws {
            let versioned = volume.appendingPathComponent("..v\(version)")
            try fm.createDirectory(at: versioned, withIntermediateDirectories: true)
            for name in ["tls.crt", "tls.key"] {
                try fm.copyItem(
                    at: certificates.appendingPathComponent(name), to: versioned.appendingPathComponent(name))
            }
            let temporary = volume.appendingPathComponent("..data_tmp").path
            try fm.createSymbolicLink(atPath: temporary, withDestinationPath: "..v\(version)")
            guard rename(temporary, volume.appendingPathComponent("..data").path) == 0 else {
                throw TestFailure("rename")
            }
        }
        try fm.createDirectory(at: volume, withIntermediateDirectories: true)
        try publish(1)
        for name in ["tls.crt", "tls.key"] {
            try fm.createSymbolicLink(
                atPath: volume.appendingPathComponent(name).path, withDestinationPath: "..data/\(name)")
        }
        let server = try await KCPIngressServer(
            certificates: certificates,
            certificateFile: volume.appendingPathComponent("tls.crt").path,
            keyFile: volume.appendingPathComponent("tls.key").path,
            arguments: ["--certificate-poll-interval", "1h"])
        defer { server.stop() }

        let client = try pythonClient(["keepalive", "\(server.webhookPort)", server.caFile])
        defer { client.stop() }
        let first = try await client.waitForLine { $0.hasPrefix("response") }
        let oldSerial = try #require(first.split(separator: " ").first { $0.hasPrefix("serial=") })
        let local = try #require(first.split(separator: " ").first { $0.hasPrefix("local=") })

        let script = KCPIngressServer.repository.appendingPathComponent("certs/gen-dev-certs.sh").path
        _ = try await run("/bin/bash", [script, certificates.path, "server"])
        try publish(2)
        try await server.process.waitForLine(onStderr: true) { $0.contains("serving certificate reloaded") }

        let fresh = try await run(
            "/bin/bash",
            [
                "-c",
                "openssl s_client -connect 127.0.0.1:\(server.webhookPort) -CAfile \(server.caFile) </dev/null 2>/dev/null | openssl x509 -noout -serial",
            ])
        let newSerial =
            "serial=" + fresh.stdout.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("serial=".count)
        #expect(newSerial != String(oldSerial))
        #expect(fresh.stdout.contains("serial="))

        client.send("again")
        try await client.waitForLine { _ in client.stdout.filter { $0.hasPrefix("response") }.count == 2 }
        let lines = client.stdout.filter { $0.hasPrefix("response") }
        #expect(
            lines == ["response 200 \(oldSerial) \(local)", "response 200 \(oldSerial) \(local)"],
            "same connection, same certificate, still served")
    }

    @Test("SIGTERM during a request: it completes, idle connections close, the process exits 0")
    func gracefulShutdown() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let inFlight = try pythonClient(["in-flight", "\(server.webhookPort)", server.caFile])
        defer { inFlight.stop() }
        let idle = try pythonClient(["handshake-only", "\(server.webhookPort)", server.caFile])
        defer { idle.stop() }
        try await inFlight.waitForLine { $0 == "started" }
        try await idle.waitForLine { $0 == "connected" }

        server.process.signal(SIGTERM)
        try await server.process.waitForLine(onStderr: true) {
            $0.contains(#""msg":"shutting down""#) && $0.contains("webhook")
        }
        // The idle connection is closed once the drain window passes without a
        // request; the in-flight one is not.
        let idleLine = try await idle.waitForLine { $0.hasPrefix("closed") || $0 == "still open" }
        #expect(idleLine.hasPrefix("closed after"))
        #expect(server.process.isRunning)

        inFlight.send("finish")
        // NIO's pipeline handler marks the last response of a draining connection.
        try await inFlight.waitForLine { $0 == "response 200 connection=close" }
        let closed = try await inFlight.waitForLine { $0.hasPrefix("closed") || $0 == "still open" }
        #expect(closed.hasPrefix("closed after"))
        #expect(try await server.process.waitForExit(timeout: .seconds(20)) == 0)
        #expect(server.process.stderr.contains { $0.contains("shut down cleanly") })
    }

    @Test("after the grace period, a connection still busy is cut at the deadline, unanswered, and the process exits 0")
    func gracePeriodEnds() async throws {
        let server = try await KCPIngressServer(arguments: ["--shutdown-grace-period", "2s"])
        defer { server.stop() }
        let stalled = try pythonClient(["in-flight-stalled", "\(server.webhookPort)", server.caFile])
        defer { stalled.stop() }
        try await stalled.waitForLine { $0 == "started" }
        server.process.signal(SIGTERM)
        try await server.process.waitForLine(onStderr: true) {
            $0.contains("grace period over: closing a connection still busy")
        }
        let received = try await stalled.waitForLine { $0.hasPrefix("received") }
        #expect(received == "received 0 bytes", "cut, not answered")
        let closed = try await stalled.waitForLine { $0.hasPrefix("closed after") }
        let seconds = Double(closed.split(separator: " ").last ?? "") ?? 0
        #expect(seconds >= 2, "not cut before the grace period ended")
        #expect(try await server.process.waitForExit(timeout: .seconds(20)) == 0)
    }

    @Test(
        "SIGTERM under HTTP/1.1 keep-alive load: /readyz fails at once, listeners serve through --shutdown-delay, no request fails"
    )
    func keepAliveLoadAcrossShutdown() async throws {
        let server = try await KCPIngressServer(arguments: ["--shutdown-delay", "30s"])
        defer { server.stop() }
        #expect(try await probe(server, "/readyz") == 200)
        // 4 keep-alive connections at 100 requests/s each: about 15 s of load,
        // paced so that it does not starve other tests. The load must still be
        // running when /readyz turns 500, however slowly a loaded machine gets
        // there, and must end within the delay: SIGTERM comes about 1.25 s in,
        // so the delay leaves twice the load's remaining time.
        let total = 6000
        let load = try ChildProcess(
            "/usr/bin/h2load",
            [
                "--h1", "-n", "\(total)", "-c", "4", "-t", "1", "--rps", "100",
                "https://127.0.0.1:\(server.webhookPort)/healthz",
            ])
        defer { load.stop() }
        // SIGTERM once the load is under way.
        try await eventually(within: .seconds(60)) { try await webhookRequests(server) >= 500 }
        server.process.signal(SIGTERM)
        try await eventually(within: .seconds(10)) { try await probe(server, "/readyz") == 500 }
        let servedBeforeShutdownBegan = try await webhookRequests(server)
        #expect(load.isRunning && servedBeforeShutdownBegan < Double(total), "the load spans the shutdown")

        #expect(try await load.waitForExit(timeout: .seconds(120)) == 0)
        let summary = try await load.waitForLine { $0.hasPrefix("requests:") }
        #expect(summary.contains("\(total) succeeded, 0 failed, 0 errored"), "\(summary)")
        #expect(try await server.process.waitForExit(timeout: .seconds(60)) == 0)
        #expect(server.process.stderr.contains { $0.contains("shut down cleanly") })
    }

    /// Polls `condition` until it holds; throws if it does not within `limit`.
    private func eventually(within limit: Duration, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("condition not met within \(limit)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The status of a plain-HTTP probe on the health listener.
    private func probe(_ server: KCPIngressServer, _ path: String) async throws -> Int {
        let result = try await run(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(server.healthPort)\(path)"])
        return Int(result.stdout) ?? 0
    }

    /// Requests the webhook listener has answered, all routes and codes together.
    private func webhookRequests(_ server: KCPIngressServer) async throws -> Double {
        let result = try await run("/usr/bin/curl", ["-sS", "http://127.0.0.1:\(server.metricsPort)/metrics"])
        return result.stdout.split(separator: "\n")
            .filter { $0.hasPrefix("http_requests_total{") && $0.contains(#"listener="webhook""#) }
            .compactMap { Double($0.split(separator: " ").last ?? "") }
            .reduce(0, +)
    }
}
