import NIOCore
import NIOEmbedded
import Testing

@testable import HTTP2

/// The client session handler driven in memory: requests in, frames out;
/// hand-made server frames in, responses out.
@Suite("HTTP/2 client handler on nghttp2, in memory")
struct HTTP2ClientHandlerTests {
    final class Client {
        let channel = EmbeddedChannel()
        let handler = HTTP2ClientHandler()
        var token: UInt64 = 0
        /// Output not yet parsed, and whether the preface was seen.
        private var sawPreface = false

        init() throws {
            try channel.pipeline.syncOperations.addHandler(handler)
            _ = channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1))
        }

        func request(_ path: String, body: String = "") -> EventLoopFuture<HTTP2ClientResponse> {
            token += 1
            let promise = channel.eventLoop.makePromise(of: HTTP2ClientResponse.self)
            let headers = [
                HTTP2Header(":method", body.isEmpty ? "GET" : "POST"), HTTP2Header(":scheme", "https"),
                HTTP2Header(":authority", "localhost"), HTTP2Header(":path", path),
            ]
            channel.writeAndFlush(
                HTTP2ClientOutbound.request(
                    headers: headers, body: ByteBuffer(string: body), token: token, promise: promise),
                promise: nil)
            return promise.futureResult
        }

        /// The server's bytes, as if they had arrived from the network.
        func receive(_ bytes: [UInt8]) throws {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }

        /// The frames the client wrote since the last call.
        func frames() throws -> [ParsedFrame] {
            channel.embeddedEventLoop.run()
            var bytes: [UInt8] = []
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
            if !sawPreface {
                #expect(bytes.starts(with: Frame.preface))
                bytes.removeFirst(Frame.preface.count)
                sawPreface = true
            }
            return ParsedFrame.parse(bytes)
        }
    }

    static func response(stream: UInt32, status: String? = "200", endStream: Bool = false) -> [UInt8] {
        let headers = (status.map { [(":status", $0)] } ?? []) + [("content-type", "text/plain")]
        return Frame.frame(
            .headers, flags: Frame.endHeaders | (endStream ? Frame.endStream : 0), stream: stream,
            Frame.headerBlock(headers))
    }

    static func goAway(lastStream: UInt32, errorCode: UInt32 = 0) -> [UInt8] {
        Frame.frame(.goAway, Frame.be32(lastStream) + Frame.be32(errorCode))
    }

    /// How `future` failed, if it has (EmbeddedChannel completes futures at once).
    static func failure(_ future: EventLoopFuture<HTTP2ClientResponse>) -> HTTP2ClientError? {
        var failure: HTTP2ClientError?
        future.assumeIsolated().whenFailure { failure = $0 as? HTTP2ClientError }
        return failure
    }

    @Test("requests go out as streams on one connection and their responses come back, body and all")
    func requestsAndResponses() throws {
        let client = try Client()
        let first = client.request("/a", body: "review")
        let second = client.request("/b")
        let frames = try client.frames()
        let headers = frames.filter { $0.kind == Frame.Kind.headers.rawValue }
        #expect(headers.map(\.stream) == [1, 3])
        #expect(
            frames.contains {
                $0.kind == Frame.Kind.data.rawValue && $0.stream == 1 && $0.payload == Array("review".utf8)
            })

        try client.receive(
            Frame.settings() + Self.response(stream: 3) + Frame.data(stream: 3, Array("bee".utf8), endStream: true)
                + Self.response(stream: 1) + Frame.data(stream: 1, Array("ay".utf8), endStream: true))
        let a = try first.wait()
        let b = try second.wait()
        #expect(a.status == 200 && String(buffer: a.body) == "ay")
        #expect(b.status == 200 && String(buffer: b.body) == "bee")
        #expect(a.headers == [HTTP2Header("content-type", "text/plain")])
        #expect(client.handler.activeStreams == 0)
    }

    @Test("no more streams are opened than the server's SETTINGS_MAX_CONCURRENT_STREAMS allows")
    func maxConcurrentStreams() throws {
        let client = try Client()
        try client.receive(Frame.settings([(0x3, 1)]))
        let calls = (0..<3).map { client.request("/\($0)") }
        var opened = try client.frames().filter { $0.kind == Frame.Kind.headers.rawValue }.map(\.stream)
        #expect(opened == [1])

        try client.receive(Self.response(stream: 1, endStream: true))
        opened = try client.frames().filter { $0.kind == Frame.Kind.headers.rawValue }.map(\.stream)
        #expect(opened == [3])
        try client.receive(Self.response(stream: 3, endStream: true))
        opened = try client.frames().filter { $0.kind == Frame.Kind.headers.rawValue }.map(\.stream)
        #expect(opened == [5])
        try client.receive(Self.response(stream: 5, endStream: true))
        for call in calls { #expect(try call.wait().status == 200) }
    }

    @Test("GOAWAY fails only the streams above its last stream; the rest finish, then the connection closes")
    func goAwayMidFlight() throws {
        let client = try Client()
        let calls = (0..<3).map { client.request("/\($0)") }
        _ = try client.frames()
        try client.receive(Frame.settings() + Self.goAway(lastStream: 3))
        #expect(Self.failure(calls[2]) == HTTP2ClientError(streamID: 5, problem: .goAway(errorCode: 0)))
        #expect(Self.failure(calls[0]) == nil && Self.failure(calls[1]) == nil)

        // No new stream on a connection going away: the request was never sent.
        let late = client.request("/late")
        #expect(Self.failure(late) == HTTP2ClientError(streamID: nil, problem: .notSent))

        try client.receive(Self.response(stream: 1, endStream: true) + Self.response(stream: 3, endStream: true))
        #expect(try calls[0].wait().status == 200)
        #expect(try calls[1].wait().status == 200)
        client.channel.embeddedEventLoop.run()
        #expect(!client.channel.isActive)
    }

    @Test("a response without :status is a clear error for its stream alone")
    func missingStatus() throws {
        let client = try Client()
        let bad = client.request("/bad")
        let good = client.request("/good")
        _ = try client.frames()
        try client.receive(Frame.settings() + Self.response(stream: 1, status: nil, endStream: true))
        let error = try #require(Self.failure(bad))
        guard case .malformedResponse = error.problem else {
            Issue.record("expected a malformed response, got \(error)")
            return
        }
        #expect(error.description.contains("malformed response"))
        // nghttp2 resets the bad stream; the connection serves the other.
        #expect(try client.frames().contains { $0.isReset && $0.stream == 1 })
        try client.receive(Self.response(stream: 3, endStream: true))
        #expect(try good.wait().status == 200)
    }

    @Test("an interim 100 response is skipped for the final one")
    func interimResponse() throws {
        let client = try Client()
        let call = client.request("/slow", body: "x")
        _ = try client.frames()
        try client.receive(
            Frame.settings() + Self.response(stream: 1, status: "100")
                + Self.response(stream: 1, status: "204", endStream: true))
        #expect(try call.wait().status == 204)
    }

    @Test("losing the connection fails every unfinished stream")
    func connectionLoss() throws {
        let client = try Client()
        let calls = (0..<2).map { client.request("/\($0)") }
        _ = try client.frames()
        try client.receive(Frame.settings() + Self.response(stream: 1))  // head, no end yet
        client.channel.pipeline.fireChannelInactive()
        #expect(Self.failure(calls[0])?.problem == .connectionClosed)
        #expect(Self.failure(calls[1])?.problem == .connectionClosed)
    }

    @Test("a cancelled call resets its stream and leaves the others alone")
    func cancel() throws {
        let client = try Client()
        let cancelled = client.request("/a")
        let kept = client.request("/b")
        _ = try client.frames()
        client.channel.writeAndFlush(HTTP2ClientOutbound.cancel(token: 1), promise: nil)
        #expect(Self.failure(cancelled)?.problem == .cancelled)
        #expect(try client.frames().contains { $0.isReset && $0.stream == 1 && $0.errorCode == 8 })
        try client.receive(Frame.settings() + Self.response(stream: 3, endStream: true))
        #expect(try kept.wait().status == 200)
    }
}
