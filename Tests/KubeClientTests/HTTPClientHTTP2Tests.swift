import HTTPServer
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TLS
import TestSupport
import Testing

@testable import HTTPClient

/// The client's HTTP/2 path against the project's own server: chosen by
/// ALPN when the TLS context offers `h2`, one connection per host.
@Suite("HTTP client over HTTP/2", .timeLimit(.minutes(1)))
struct HTTPClientHTTP2Tests {
    /// Records the protocol and client port of every request.
    final class Server: Sendable {
        let port: Int
        let caPEM: [UInt8]
        private let recorded = Recorded()
        private final class Recorded: Sendable {
            let requests = Mutex<[(version: HTTPVersion, port: Int?)]>([])
        }
        var seen: [(version: HTTPVersion, port: Int?)] { recorded.requests.withLock { $0 } }
        private let task: Task<Void, any Error>

        init(idleTimeout: TimeAmount) async throws {
            let certificates = try CertificateFactory.development(
                commonName: "h2", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
            let context = try TLSContext(
                configuration: .server(identity: certificates.identity, applicationProtocols: ["h2", "http/1.1"]))
            var router = Router()
            let recorded = recorded
            router.addPrefix("/") { request in
                recorded.requests.withLock { $0.append((request.version, request.connection.remoteAddress?.port)) }
                return .bytes(.ok, contentType: "text/plain", ByteBuffer(string: "ok"))
            }
            var configuration = ServerConfiguration(
                name: "h2", address: BindAddress(host: "127.0.0.1", port: 0), protocols: .negotiated,
                tls: { context }, shutdownGracePeriod: .zero)
            configuration.limits.idleTimeout = idleTimeout
            let listening = Listening()
            let server = HTTPServer(
                configuration: configuration, router: router, logger: Logger(label: "h2"),
                onListening: listening.report)
            task = Task { try await server.run() }
            port = try await listening.port()
            caPEM = certificates.caCertificatePEM
        }

        func stop() { task.cancel() }
    }

    @Test("after the server's GOAWAY the next request opens a new connection")
    func newConnectionAfterGoAway() async throws {
        // The server says GOAWAY to a connection idle this long; long enough
        // that a stalled machine does not idle out the second connection
        // before its request is sent.
        let server = try await Server(idleTimeout: .seconds(3))
        defer { server.stop() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let tls = try TLSContext(
            configuration: .client(trustRoots: .pem(server.caPEM), applicationProtocols: ["h2", "http/1.1"]))
        let request = try ClientRequest(method: .GET, url: "https://127.0.0.1:\(server.port)/x")
        let first = try await client.execute(request, tls: tls, timeout: .seconds(30))
        #expect(first.version == .http2)
        let key = HTTPClient.PoolKey(scheme: "https", host: "127.0.0.1", port: server.port, tls: ObjectIdentifier(tls))
        try await waitUntil(within: .seconds(30)) { client.usableMultiplexed(for: key) == nil }

        let second = try await client.execute(request, tls: tls, timeout: .seconds(30))
        #expect(second.version == .http2)
        let seen = server.seen
        try #require(seen.count == 2)
        #expect(seen.allSatisfy { $0.version == .http2 })
        #expect(seen[0].port != seen[1].port, "a second connection")
        #expect(client.idleConnections == 0, "HTTP/2 connections are not pooled as HTTP/1.1 ones")
    }

    @Test("a context offering only http/1.1 keeps to the HTTP/1.1 pool")
    func http1Only() async throws {
        let server = try await Server(idleTimeout: .seconds(60))
        defer { server.stop() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let tls = try TLSContext(configuration: .client(trustRoots: .pem(server.caPEM)))
        let request = try ClientRequest(method: .GET, url: "https://127.0.0.1:\(server.port)/x")
        let response = try await client.execute(request, tls: tls, timeout: .seconds(30))
        #expect(response.version == .http1_1)
        #expect(client.idleConnections == 1)
        #expect(server.seen.map(\.version) == [.http1_1])
    }
}
