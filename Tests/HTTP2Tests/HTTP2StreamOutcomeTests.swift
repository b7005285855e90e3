import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import HTTP2

/// What happens at the edges of a stream's life, each an explicit outcome:
/// a request that stalls, answers out of order, answers from inside a
/// read, and settings at the limits of what RFC 9113 allows.
extension HTTP2ServerHandlerTests {
    func handler(_ channel: EmbeddedChannel) throws -> HTTP2ServerHandler {
        try channel.pipeline.syncOperations.handler(type: HTTP2ServerHandler.self)
    }

    @Test("a request whose body stalls is reset after the read timeout; one that ends in time is not")
    func readTimeout() async throws {
        let collector = Collector()
        let channel = try channel(collector, readTimeout: .seconds(5))
        try send(
            Frame.clientStart + Frame.request(stream: 1, method: "POST", endStream: false)
                + Frame.request(stream: 3, method: "POST", endStream: false), to: channel)
        _ = try output(channel)
        try send(Frame.data(stream: 3, Array("done".utf8), endStream: true), to: channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(try output(channel).filter(\.isReset).isEmpty, "not yet")

        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        let resets = try output(channel).filter(\.isReset)
        try #require(resets.map(\.stream) == [1], "only the stalled stream")
        #expect(resets.first?.errorCode == HTTP2ErrorCode.cancel)
        let stalled = try #require(collector.streams.withLock { $0.first { $0.id == 1 } })
        await #expect(throws: HTTP2StreamReset.self) {
            for try await _ in stalled.body {}
        }
        #expect(channel.isActive, "the connection stays")
    }

    @Test("a stream exempted from the read timeout (a long-lived message stream) is not reset")
    func readTimeoutExempt() throws {
        let collector = Collector()
        let channel = try channel(collector, readTimeout: .seconds(5))
        try send(Frame.clientStart + Frame.request(stream: 1, method: "POST", endStream: false), to: channel)
        let stream = try #require(collector.streams.withLock { $0.first })
        stream.disableReadTimeout()
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(try output(channel).filter(\.isReset).isEmpty)
    }

    @Test("every handler given to onCancel runs when the peer resets the stream, one given later at once")
    func everyCancelHandlerRuns() throws {
        let collector = Collector()
        let channel = try channel(collector)
        try send(Frame.clientStart + Frame.request(stream: 1, method: "POST", endStream: false), to: channel)
        let stream = try #require(collector.streams.withLock { $0.first })
        // The router cancels the stream's task and the gRPC server ends its
        // call: neither may displace the other.
        let ran = Mutex<[String]>([])
        stream.onCancel { ran.withLock { $0.append("router") } }
        stream.onCancel { ran.withLock { $0.append("call") } }
        try send(Frame.frame(.rstStream, stream: 1, Frame.be32(HTTP2ErrorCode.cancel)), to: channel)
        #expect(ran.withLock { $0 } == ["router", "call"])
        stream.onCancel { ran.withLock { $0.append("late") } }
        #expect(ran.withLock { $0 } == ["router", "call", "late"])
    }

    @Test("body bytes before the response, after it ended, and a second response are errors, not lost bytes")
    func answersOutOfOrder() throws {
        let collector = Collector()
        let channel = try channel(collector)
        try send(Frame.clientStart + Frame.request(stream: 1) + Frame.request(stream: 3), to: channel)
        let handler = try handler(channel)

        let early = #expect(throws: HTTP2ResponseError.self) {
            _ = try handler.send(ByteBuffer(string: "early"), streamID: 1, end: false, trailers: nil)
        }
        #expect(early?.problem == .notStarted)

        try handler.respond(streamID: 1, headers: [HTTP2Header(":status", "200")], endStream: false)
        let second = #expect(throws: HTTP2ResponseError.self) {
            try handler.respond(streamID: 1, headers: [HTTP2Header(":status", "500")], endStream: false)
        }
        #expect(second?.problem == .alreadyStarted)
        _ = try handler.send(ByteBuffer(string: "body"), streamID: 1, end: true, trailers: nil)
        let late = #expect(throws: HTTP2ResponseError.self) {
            _ = try handler.send(ByteBuffer(string: "late"), streamID: 1, end: false, trailers: nil)
        }
        #expect(late?.problem == .alreadyComplete)

        try handler.respond(streamID: 3, headers: [HTTP2Header(":status", "204")], endStream: true)
        let afterHeadersOnly = #expect(throws: HTTP2ResponseError.self) {
            _ = try handler.send(ByteBuffer(string: "x"), streamID: 3, end: true, trailers: nil)
        }
        #expect(afterHeadersOnly?.problem == .alreadyComplete)

        let data = try output(channel).filter { $0.kind == Frame.Kind.data.rawValue }
        #expect(data.map(\.stream) == [1])
        #expect(data.first?.payload == Array("body".utf8))
    }

    @Test("an answer from inside a read fails loudly; a reset from inside one is sent once the read returns")
    func answerDuringRead() throws {
        let collector = Collector()
        let channel = try channel(collector)
        try send(Frame.clientStart + Frame.request(stream: 1, endStream: false), to: channel)
        _ = try output(channel)
        let handler = try handler(channel)

        handler.receiving {
            let error = #expect(throws: HTTP2ResponseError.self) {
                try handler.respond(streamID: 1, headers: [HTTP2Header(":status", "200")], endStream: true)
            }
            #expect(error?.problem == .duringRead)
            #expect(throws: HTTP2ResponseError.self) {
                _ = try handler.send(ByteBuffer(string: "x"), streamID: 1, end: true, trailers: nil)
            }
            handler.reset(streamID: 1, errorCode: HTTP2ErrorCode.cancel)
        }
        #expect(handler.reentrantSubmissions == 3)
        let frames = try output(channel)
        #expect(frames.contains { $0.isReset && $0.stream == 1 && $0.errorCode == HTTP2ErrorCode.cancel })
        #expect(!frames.contains { $0.kind == Frame.Kind.headers.rawValue }, "the refused answer was not sent")
    }

    @Test("a large initial window: the connection window is capped at 2^31-1 instead of overflowing")
    func largeInitialWindow() throws {
        for size in [UInt32(1 << 30), UInt32(Int32.max)] {
            var settings = HTTP2Settings()
            settings.initialWindowSize = size
            let session = try NGHTTP2Session(settings: settings, allocator: ByteBufferAllocator())
            #expect(session.localConnectionWindow == Int32.max)
        }
        var settings = HTTP2Settings()
        settings.initialWindowSize = 1 << 20
        #expect(
            try NGHTTP2Session(settings: settings, allocator: ByteBufferAllocator()).localConnectionWindow == 1 << 22)
    }

    @Test("an initial window over 2^31-1 is a clear error, and the connection closes instead of trapping")
    func initialWindowTooLarge() throws {
        var settings = HTTP2Settings()
        settings.initialWindowSize = UInt32(Int32.max) + 1
        let error = #expect(throws: HTTP2Error.self) {
            try NGHTTP2Session(settings: settings, allocator: ByteBufferAllocator())
        }
        #expect(error?.message.contains("initial window size 2147483648 is over 2^31-1") == true)

        let channel = EmbeddedChannel()
        _ = channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1))
        #expect(throws: HTTP2Error.self) {
            try channel.pipeline.syncOperations.addHandler(
                HTTP2ServerHandler(settings: settings, streamHandler: Collector()))
            try channel.throwIfErrorCaught()
        }
        #expect(!channel.isActive)
    }
}
