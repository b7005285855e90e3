import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import HTTP2

/// The session handler driven in memory: frames in, frames out, no socket.
@Suite("HTTP/2 server handler on nghttp2, in memory")
struct HTTP2ServerHandlerTests {
    /// Answers every stream at once, synchronously, from inside `handle`:
    /// the re-entrancy case, since `handle` runs during the channel read.
    final class ImmediateResponder: HTTP2StreamHandler {
        let seenWhileReceiving = Mutex<[Bool]>([])

        func handle(_ stream: HTTP2Stream) {
            let handler = stream.connection.handler.value
            seenWhileReceiving.withLock { $0.append(handler.isReceiving) }
            try? handler.respond(
                streamID: stream.id,
                headers: [HTTP2Header(":status", "200"), HTTP2Header("x-path", stream.header(":path") ?? "")],
                endStream: false)
            _ = try? handler.send(ByteBuffer(string: "hello"), streamID: stream.id, end: true, trailers: nil)
        }
    }

    /// Collects streams so the test can answer them later.
    final class Collector: HTTP2StreamHandler {
        let streams = Mutex<[HTTP2Stream]>([])
        func handle(_ stream: HTTP2Stream) { streams.withLock { $0.append(stream) } }
    }

    func channel(
        _ handler: any HTTP2StreamHandler, settings: HTTP2Settings = HTTP2Settings(), readTimeout: TimeAmount? = nil
    ) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            HTTP2ServerHandler(settings: settings, streamHandler: handler, readTimeout: readTimeout))
        _ = channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1))
        return channel
    }

    func send(_ bytes: [UInt8], to channel: EmbeddedChannel) throws {
        try channel.writeInbound(ByteBuffer(bytes: bytes))
    }

    func output(_ channel: EmbeddedChannel) throws -> [ParsedFrame] {
        // Answers from streams are flushed once the event loop has run what is queued.
        channel.embeddedEventLoop.run()
        var bytes: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
        return ParsedFrame.parse(bytes)
    }

    @Test("a request is answered, and answering from inside the read never re-enters nghttp2")
    func requestAndReentrancy() throws {
        let responder = ImmediateResponder()
        let channel = try channel(responder)
        try send(
            Frame.clientStart + Frame.request(stream: 1, path: "/a") + Frame.request(stream: 3, path: "/b"), to: channel
        )
        let frames = try output(channel)
        #expect(frames.first?.kind == Frame.Kind.settings.rawValue)
        #expect(responder.seenWhileReceiving.withLock { $0 } == [false, false])
        let handler = try channel.pipeline.syncOperations.handler(type: HTTP2ServerHandler.self)
        #expect(handler.reentrantSubmissions == 0)
        let data = frames.filter { $0.kind == Frame.Kind.data.rawValue }
        #expect(data.map(\.stream) == [1, 3])
        #expect(data.allSatisfy { $0.payload == Array("hello".utf8) && ($0.flags & Frame.endStream) != 0 })
        #expect(frames.filter { $0.kind == Frame.Kind.headers.rawValue }.map(\.stream) == [1, 3])
    }

    @Test("a request body reaches the stream, and reading it opens the window")
    func requestBody() async throws {
        let collector = Collector()
        let channel = try channel(collector)
        // 40 frames of 16 KiB: more than half the 1 MiB window, so that reading
        // it must send WINDOW_UPDATE.
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 16_384)
        // A client may use our larger window once it has acknowledged our SETTINGS.
        try send(
            Frame.clientStart + Frame.frame(.settings, flags: Frame.ack)
                + Frame.request(stream: 1, method: "POST", endStream: false)
                + (0..<40).flatMap { Frame.data(stream: 1, chunk, endStream: $0 == 39) },
            to: channel)
        #expect(
            try output(channel).filter { $0.kind == Frame.Kind.windowUpdate.rawValue && $0.stream == 1 }.isEmpty,
            "nothing read yet")
        let stream = try #require(collector.streams.withLock { $0.first })
        var received = 0
        for try await chunk in stream.body { received += chunk.readableBytes }
        #expect(received == 40 * 16_384)
        channel.embeddedEventLoop.run()
        let updates = try output(channel).filter { $0.kind == Frame.Kind.windowUpdate.rawValue && $0.stream == 1 }
        #expect(!updates.isEmpty, "consumed bytes are returned to the peer")
    }

    @Test("DATA beyond the stream's window is a flow-control error that ends the body with an error")
    func beyondWindow() async throws {
        let collector = Collector()
        let channel = try channel(collector)
        // Before the client acknowledges our SETTINGS the window is RFC 9113's 65,535.
        let chunk = [UInt8](repeating: 0, count: 16_384)
        try send(
            Frame.clientStart + Frame.request(stream: 1, method: "POST", endStream: false)
                + (0..<8).flatMap { _ in Frame.data(stream: 1, chunk, endStream: false) },
            to: channel)
        let frames = try output(channel)
        #expect(frames.contains { ($0.isReset && $0.stream == 1 || $0.isGoAway) && $0.errorCode == 3 })
        let stream = try #require(collector.streams.withLock { $0.first })
        await #expect(throws: HTTP2StreamReset.self) {
            for try await _ in stream.body {}
        }
    }

    @Test("a request header list over the advertised limit is answered 431, and the next stream is served")
    func headerListTooLarge() throws {
        var settings = HTTP2Settings()
        settings.maxHeaderListSize = 1024
        let responder = ImmediateResponder()
        let channel = try channel(responder, settings: settings)
        try send(
            Frame.clientStart + Frame.request(stream: 1, extra: [("x-big", String(repeating: "a", count: 2000))])
                + Frame.request(stream: 3),
            to: channel)
        let frames = try output(channel)
        let refused = try #require(frames.first { $0.kind == Frame.Kind.headers.rawValue && $0.stream == 1 })
        #expect(refused.flags & Frame.endStream != 0)
        // `:status` by its static-table name, "431" as a 3-byte literal (no Huffman gain at this length).
        #expect(refused.payload.starts(with: [0x48, 0x03] + Array("431".utf8)), "\(refused.payload)")
        #expect(responder.seenWhileReceiving.withLock { $0.count } == 1, "stream 1 never reached the application")
        #expect(frames.contains { $0.kind == Frame.Kind.data.rawValue && $0.stream == 3 }, "the next stream is served")
        #expect(channel.isActive)
    }

    /// Hostile byte sequences, by name (the names are the test's arguments,
    /// so a failure report does not print kilobytes of frames).
    static let abuseCases: [String: (goAway: Bool, bytes: [UInt8])] = [
        // nghttp2 stops at once on a bad preface: nothing to answer, the connection closes.
        "an invalid preface": (false, Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
        "a SETTINGS frame with 33 entries": (
            true, Frame.preface + Frame.settings(Array(repeating: (0x3, 100), count: 33))
        ),
        "a PING flood": (
            false, Frame.clientStart + (0..<2000).flatMap { _ in Frame.frame(.ping, [UInt8](repeating: 1, count: 8)) }
        ),
        "a CONTINUATION flood": (
            false,
            Frame.clientStart
                + Frame.frame(.headers, flags: Frame.endStream, stream: 1, Frame.headerBlock([(":method", "GET")]))
                + (0..<20).flatMap { _ in Frame.frame(.continuation, stream: 1, Frame.headerBlock([("x", "y")])) }
        ),
        "a window update overflowing the connection window": (
            true,
            Frame.clientStart + Frame.frame(.windowUpdate, Frame.be32(0x7FFF_FFFF))
                + Frame.frame(.windowUpdate, Frame.be32(0x7FFF_FFFF))
        ),
        "a flood of stream resets": (
            true,
            Frame.clientStart
                + (0..<1200).flatMap { index -> [UInt8] in
                    let stream = UInt32(index * 2 + 1)
                    return Frame.request(stream: stream, endStream: false)
                        + Frame.frame(.rstStream, stream: stream, Frame.be32(8))
                }
        ),
        "more streams than SETTINGS_MAX_CONCURRENT_STREAMS, after acknowledging it": (
            true,
            Frame.clientStart + Frame.frame(.settings, flags: Frame.ack)
                + (0..<150).flatMap { Frame.request(stream: UInt32($0 * 2 + 1), endStream: false) }
        ),
    ]

    @Test("abuse ends with GOAWAY or a closed connection", arguments: Array(abuseCases.keys).sorted())
    func abuse(name: String) throws {
        let (goAway, bytes) = try #require(Self.abuseCases[name])
        let channel = try channel(Collector())
        _ = try? send(bytes, to: channel)
        let frames = try output(channel)
        if goAway { #expect(frames.contains { $0.isGoAway }, "GOAWAY expected") }
        #expect(!channel.isActive, "connection closed")
    }

    @Test("streams beyond SETTINGS_MAX_CONCURRENT_STREAMS before it is acknowledged are refused one by one")
    func tooManyStreamsBeforeAck() throws {
        var settings = HTTP2Settings()
        settings.maxConcurrentStreams = 2
        let channel = try channel(Collector(), settings: settings)
        try send(
            Frame.clientStart + (0..<4).flatMap { Frame.request(stream: UInt32($0 * 2 + 1), endStream: false) },
            to: channel)
        let resets = try output(channel).filter(\.isReset)
        #expect(resets.map(\.stream) == [5, 7])
        #expect(resets.allSatisfy { $0.errorCode == HTTP2ErrorCode.refusedStream })
        #expect(channel.isActive)
    }

    @Test("on quiesce: GOAWAY, the in-flight stream finishes, then the connection closes")
    func gracefulShutdown() async throws {
        let collector = Collector()
        let channel = try channel(collector)
        try send(Frame.clientStart + Frame.request(stream: 1), to: channel)
        _ = try output(channel)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(try output(channel).contains { $0.isGoAway })
        #expect(channel.isActive, "stream 1 is still in flight")
        // A new stream after GOAWAY is refused.
        try send(Frame.request(stream: 3), to: channel)
        #expect(collector.streams.withLock { $0.count } == 1)

        let stream = try #require(collector.streams.withLock { $0.first })
        let handler = stream.connection.handler.value
        try handler.respond(streamID: 1, headers: [HTTP2Header(":status", "204")], endStream: true)
        #expect(try output(channel).contains { $0.kind == Frame.Kind.headers.rawValue && $0.stream == 1 })
        #expect(!channel.isActive)
    }

    @Test("a peer reset cancels the stream's work")
    func resetCancels() throws {
        let collector = Collector()
        let channel = try channel(collector)
        try send(Frame.clientStart + Frame.request(stream: 1, endStream: false), to: channel)
        let stream = try #require(collector.streams.withLock { $0.first })
        let cancelled = Mutex(false)
        stream.onCancel { cancelled.withLock { $0 = true } }
        try send(Frame.frame(.rstStream, stream: 1, Frame.be32(HTTP2ErrorCode.cancel)), to: channel)
        #expect(cancelled.withLock { $0 })
    }
}
