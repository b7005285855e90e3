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

/// A plain HTTP server that answers the first request on each connection
/// with `response` and closes the connection, unanswered, on the second: a
/// keep-alive connection the server dropped just as the client reused it,
/// or an HTTP/1.0 server that meant to close it anyway (it closes lazily
/// here, so that a client that wrongly reuses the connection is caught
/// every time rather than when it loses a race).
final class OneRequestPerConnectionServer: Sendable {
    static let keepAliveResponse = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"

    let port: Int
    private let channel: any Channel

    init(response: String = keepAliveResponse) async throws {
        let handlerConnections = Counter()
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                handlerConnections.value.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AnswerOnce(response: response))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress!.port!
        counter = handlerConnections
    }

    private let counter: Counter
    var accepted: Int { counter.value.load(ordering: .relaxed) }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    func close() { channel.close(promise: nil) }

    private final class AnswerOnce: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        private let response: String
        private var received = ""
        private var answered = false

        init(response: String) {
            self.response = response
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += String(buffer: unwrapInboundIn(data))
            guard received.contains("\r\n\r\n") else { return }
            if answered {
                context.close(promise: nil)
                return
            }
            answered = true
            received = ""
            context.writeAndFlush(
                wrapOutboundOut(ByteBuffer(string: response)), promise: nil)
        }
    }
}

@Suite("HTTP client: reused connections", .timeLimit(.minutes(1)))
struct HTTPClientReuseTests {
    @Test("a GET on a pooled connection the server closed goes out again on a fresh one; a POST does not")
    func replay() async throws {
        let server = try await OneRequestPerConnectionServer()
        defer { server.close() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let url = "http://127.0.0.1:\(server.port)/"
        let first = try await client.execute(ClientRequest(method: .GET, url: url), tls: nil, timeout: .seconds(30))
        let second = try await client.execute(ClientRequest(method: .GET, url: url), tls: nil, timeout: .seconds(30))
        #expect(first.status == .ok && second.status == .ok)
        #expect(server.accepted == 2, "the second GET was sent again on a new connection")

        // A POST may have been acted on before the connection closed: it is not sent twice.
        let posting = HTTPClient()
        defer { posting.shutdown() }
        let post = try ClientRequest(method: .POST, url: url, body: ByteBuffer(string: "x"))
        _ = try await posting.execute(post, tls: nil, timeout: .seconds(30))
        await #expect(throws: HTTPClientError.connectionClosed) {
            _ = try await posting.execute(post, tls: nil, timeout: .seconds(30))
        }
        #expect(server.accepted == 3)
    }

    @Test(
        "a response that does not keep the connection (HTTP/1.0 without keep-alive, connection: close) is not pooled",
        arguments: [
            "HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nConnection: Close\r\ncontent-length: 2\r\n\r\nok",
            "HTTP/1.1 200 OK\r\nConnection: x-custom, close\r\ncontent-length: 2\r\n\r\nok",
        ])
    func closingResponsesAreNotReused(response: String) async throws {
        let server = try await OneRequestPerConnectionServer(response: response)
        defer { server.close() }
        let client = HTTPClient()
        defer { client.shutdown() }
        // POSTs, which a reused connection closing under them would fail: each
        // must go on a connection of its own.
        let post = try ClientRequest(
            method: .POST, url: "http://127.0.0.1:\(server.port)/validate", body: ByteBuffer(string: "{}"))
        for _ in 0..<3 {
            let answer = try await client.execute(post, tls: nil, timeout: .seconds(30))
            #expect(answer.status == .ok)
        }
        #expect(server.accepted == 3)
    }

    @Test("an HTTP/1.0 response with connection: keep-alive is pooled and reused")
    func http10KeepAliveReused() async throws {
        let server = try await OneRequestPerConnectionServer(
            response: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\ncontent-length: 2\r\n\r\nok")
        defer { server.close() }
        let client = HTTPClient()
        defer { client.shutdown() }
        let url = "http://127.0.0.1:\(server.port)/"
        _ = try await client.execute(ClientRequest(method: .GET, url: url), tls: nil, timeout: .seconds(30))
        #expect(client.idleConnections == 1)
    }

    @Test("a POST on a pooled connection closed before a byte of it was written goes out on a fresh one")
    func postNeverWrittenIsRetried() async throws {
        let server = try await OneRequestPerConnectionServer()
        defer { server.close() }
        let client = HTTPClient()
        defer { client.shutdown() }
        // A pooled connection whose close the client learns of only as it writes.
        let stale = try await ClientConnection.connect(
            group: MultiThreadedEventLoopGroup.singleton, host: "127.0.0.1", port: server.port, tls: nil)
        stale.close()
        try await stale.channel.closeFuture.get()
        let post = try ClientRequest(
            method: .POST, url: "http://127.0.0.1:\(server.port)/mutate", body: ByteBuffer(string: "{}"))
        let key = HTTPClient.PoolKey(scheme: "http", host: "127.0.0.1", port: server.port, tls: nil)
        let answer = try await client.send(post, reusing: stale, key: key, tls: nil)
        #expect(answer.status == .ok)
        #expect(server.accepted == 2, "the stale connection, then the fresh one")
    }
}
