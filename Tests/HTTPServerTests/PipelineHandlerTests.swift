import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HTTPServer

/// The HTTP/1.1 pipeline's own handlers, driven through an EmbeddedChannel
/// with raw request bytes in and raw response bytes out.
@Suite("HTTP/1.1 limits, errors and timeouts in the pipeline")
struct PipelineHandlerTests {
    func channel(limits: ConnectionLimits = ConnectionLimits()) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
        decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
        try channel.pipeline.syncOperations.addHandlers([
            HTTPResponseEncoder(),
            ByteToMessageHandler(HTTPRequestDecoder(limitConfiguration: decoderLimits)),
            HTTPServerPipelineHandler(),
            HTTP1ErrorHandler(),
            RequestLimitsHandler(maxRequestBytes: limits.maxRequestBytes),
            ConnectionTimeoutHandler(readTimeout: limits.readTimeout, idleTimeout: limits.idleTimeout),
        ])
        _ = channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1))
        return channel
    }

    func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return text
    }

    @Test("a declared length over the limit is refused with 413 before any body arrives")
    func contentLengthOverLimit() throws {
        var limits = ConnectionLimits()
        limits.maxRequestBytes = 100
        let channel = try channel(limits: limits)
        try channel.writeInbound(ByteBuffer(string: "POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n"))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil, "nothing reached the application")
        let response = try written(channel)
        #expect(response.hasPrefix("HTTP/1.1 413 Payload Too Large"))
        #expect(response.contains("connection: close"))
        // The rest of the body is discarded while the connection lingers, then it closes.
        try channel.writeInbound(ByteBuffer(string: String(repeating: "x", count: 101)))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        #expect(!channel.isActive)
    }

    @Test("a chunked body is refused as soon as it passes the limit")
    func chunkedOverLimit() throws {
        var limits = ConnectionLimits()
        limits.maxRequestBytes = 10
        let channel = try channel(limits: limits)
        try channel.writeInbound(
            ByteBuffer(
                string: "POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n"))
        #expect(try written(channel).isEmpty)
        try channel.writeInbound(ByteBuffer(string: "8\r\n12345678\r\n"))
        #expect(try written(channel).hasPrefix("HTTP/1.1 413"))
    }

    @Test("headers over the limit get 431; malformed requests 400; both close")
    func parserErrors() throws {
        var limits = ConnectionLimits()
        limits.maxHeaderBytes = 1024
        let big = try channel(limits: limits)
        _ = try? big.writeInbound(
            ByteBuffer(string: "GET / HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 2000))\r\n\r\n"))
        #expect(try written(big).hasPrefix("HTTP/1.1 431 Request Header Fields Too Large"))
        #expect(!big.isActive)

        let malformed = try channel()
        _ = try? malformed.writeInbound(ByteBuffer(string: "NOT HTTP AT ALL\r\n\r\n"))
        #expect(try written(malformed).hasPrefix("HTTP/1.1 400 Bad Request"))
        #expect(!malformed.isActive)
    }

    @Test("a request that starts but does not finish within the read timeout is closed")
    func readTimeout() throws {
        var limits = ConnectionLimits()
        limits.readTimeout = .seconds(5)
        limits.idleTimeout = .seconds(60)
        let channel = try channel(limits: limits)
        try channel.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHo"))
        channel.pipeline.fireChannelReadComplete()
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test("an idle connection is closed after the idle timeout, and a handler's time does not count")
    func idleTimeout() throws {
        var limits = ConnectionLimits()
        limits.readTimeout = .seconds(5)
        limits.idleTimeout = .seconds(10)
        let channel = try channel(limits: limits)
        try channel.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
        channel.pipeline.fireChannelReadComplete()
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) != nil)
        // A slow handler: no timer runs while the request is being handled.
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(channel.isActive)
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-length": "0"])
        try channel.writeOutbound(HTTPServerResponsePart.head(head))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }
}
