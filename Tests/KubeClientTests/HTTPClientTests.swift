import HTTPServer
import KubeAPI
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import TLS
import Testing

@testable import HTTPClient

@Suite("HTTP client", .timeLimit(.minutes(1)))
struct HTTPClientTests {
    @Test("a request written to a connection that has just closed fails at once instead of waiting forever")
    func closedConnection() async throws {
        let server = try await ScriptedServer { _ in ScriptedServer.ok(["ok": true]) }
        defer { server.stop() }
        let tls = try TLSContext(configuration: .client(trustRoots: .pem(server.caPEM)))
        let connection = try await ClientConnection.connect(
            group: MultiThreadedEventLoopGroup.singleton, host: "127.0.0.1", port: server.port, tls: tls)
        connection.close()
        try await connection.channel.closeFuture.get()
        let request = try ClientRequest(method: .GET, url: "https://127.0.0.1:\(server.port)/x")
        // Awaited from a task of its own, so that a regression fails this test instead of hanging it.
        let done = Flag()
        let outcome = Task {
            defer { done.set() }
            return try await connection.send(request).get()
        }
        try await waitUntil(within: .seconds(5)) { done.isSet }
        try #require(done.isSet, "the send never completed")
        await #expect(throws: (any Error).self) { _ = try await outcome.value }
    }

    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    @Test("a streamed response is read chunk by chunk, and the connection closes when the reader returns")
    func streaming() async throws {
        let server = try await ScriptedServer { _ in
            .streaming(.ok, headers: ["content-type": "text/plain"]) { writer in
                for index in 0..<3 {
                    try await writer.write(ByteBuffer(string: "chunk \(index)\n"))
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }
        defer { server.stop() }
        let tls = try TLSContext(configuration: .client(trustRoots: .pem(server.caPEM)))
        let client = HTTPClient()
        let request = try ClientRequest(method: .GET, url: "https://127.0.0.1:\(server.port)/watch")
        let chunks = try await client.stream(request, tls: tls, headTimeout: .seconds(5)) { response in
            #expect(response.status == .ok)
            var text = ""
            while let chunk = try await response.nextChunk() { text += String(buffer: chunk) }
            return text
        }
        #expect(chunks == "chunk 0\nchunk 1\nchunk 2\n")
    }

    @Test("totalTimeout closes a stream that outlives it")
    func totalTimeout() async throws {
        let server = try await ScriptedServer { _ in
            .streaming(.ok, headers: [:]) { writer in
                try await writer.write(ByteBuffer(string: "first\n"))
                try await Task.sleep(for: .seconds(30))
            }
        }
        defer { server.stop() }
        let tls = try TLSContext(configuration: .client(trustRoots: .pem(server.caPEM)))
        let request = try ClientRequest(method: .GET, url: "https://127.0.0.1:\(server.port)/watch")
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: (any Error).self) {
            try await HTTPClient().stream(request, tls: tls, headTimeout: .seconds(5), totalTimeout: .milliseconds(300))
            { response in
                while try await response.nextChunk() != nil {}
            }
        }
        #expect(start.duration(to: clock.now) < .seconds(10))
    }
}
