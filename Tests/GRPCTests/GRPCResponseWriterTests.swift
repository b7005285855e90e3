import HTTP2
import Logging
import NIOCore
import NIOEmbedded
import SwiftProtobuf
import Testing

@testable import GRPC

/// A gRPC call whose messages come from several tasks at once, driven
/// through the real HTTP/2 handler on a thread-safe test loop: the response
/// head must go out first and no message may be lost.
@Suite("gRPC: one call's messages from concurrent senders")
struct GRPCResponseWriterTests {
    static let senders = 16

    /// `test.Fan/Out`: answers one request with `senders` messages, each
    /// sent by its own task, all started together.
    struct FanOut: GRPCService {
        let serviceName = "test.Fan"
        var methods: [String: GRPCMethod] {
            [
                "Out": .serverStreaming {
                    (_: Google_Protobuf_Empty, writer: GRPCStreamWriter<Google_Protobuf_StringValue>) in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for index in 0..<GRPCResponseWriterTests.senders {
                            group.addTask { try await writer.send(.with { $0.value = "message \(index)" }) }
                        }
                        try await group.waitForAll()
                    }
                }
            ]
        }
    }

    /// Runs each call off the loop, as concurrent senders would be.
    struct Serve: HTTP2StreamHandler {
        let server: GRPCServer
        func handle(_ stream: HTTP2Stream) {
            Task { await server.serve(HTTP2GRPCStream(stream: stream)) }
        }
    }

    @Test("the head precedes every message, and every message of every call arrives", .timeLimit(.minutes(2)))
    func concurrentSenders() async throws {
        let server = GRPCServer(services: [FanOut()], logger: Logger(label: "test"))
        // Rounds of calls on fresh connections, each within the default
        // 100 concurrent streams.
        for _ in 0..<5 {
            let frames = try await run(calls: 90, on: server)
            for call in 0..<90 { try check(stream: UInt32(call * 2 + 1), in: frames) }
        }
    }

    /// Sends `calls` requests at once and returns every frame of the
    /// answers, once each call has ended (trailers carry END_STREAM).
    func run(calls: Int, on server: GRPCServer) async throws -> [H2Bytes.Frame] {
        let channel = NIOAsyncTestingChannel()
        defer { _ = channel.close() }
        try await channel.testingEventLoop.executeInContext {
            try channel.pipeline.syncOperations.addHandler(HTTP2ServerHandler(streamHandler: Serve(server: server)))
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))

        var client = H2Bytes.preface + H2Bytes.frame(type: 4, flags: 0, stream: 0, [])
        client += H2Bytes.frame(type: 4, flags: 1, stream: 0, [])  // SETTINGS ack
        let request = Array(GRPCFraming.frame(try Google_Protobuf_Empty().serializedBytes()).readableBytesView)
        for call in 0..<calls {
            let stream = UInt32(call * 2 + 1)
            client += H2Bytes.headers(stream: stream, path: "/test.Fan/Out")
            client += H2Bytes.frame(type: 0, flags: 1, stream: stream, request)
        }
        try await channel.writeInbound(ByteBuffer(bytes: client))

        var frames: [H2Bytes.Frame] = []
        var ended = Set<UInt32>()
        var bytes: [UInt8] = []
        while ended.count < calls {
            await channel.testingEventLoop.run()
            guard let buffer = try await channel.readOutbound(as: ByteBuffer.self) else {
                try #require(channel.isActive, "the connection closed before every call ended")
                try await Task.sleep(for: .milliseconds(5))
                continue
            }
            bytes += buffer.readableBytesView
            let (parsed, used) = H2Bytes.parse(bytes)
            bytes.removeFirst(used)
            frames += parsed
            try #require(!parsed.contains { $0.type == 7 || $0.type == 3 }, "no GOAWAY, no stream reset")
            for frame in parsed where frame.type == 1 && frame.flags & 1 != 0 { ended.insert(frame.stream) }
        }
        return frames
    }

    /// The call on `stream` began with its head, ended with trailers, and
    /// carried every sender's message.
    func check(stream: UInt32, in frames: [H2Bytes.Frame]) throws {
        let own = frames.filter { $0.stream == stream && ($0.type == 0 || $0.type == 1) }
        #expect(own.first?.type == 1 && (own.first?.flags ?? 1) & 1 == 0, "stream \(stream) starts with its head")
        #expect(own.filter { $0.type == 1 }.count == 2, "a head and trailers on stream \(stream)")
        var body = own.filter { $0.type == 0 }.flatMap(\.payload)
        var messages: Set<String> = []
        while body.count >= 5 {
            let length = Int(body[1]) << 24 | Int(body[2]) << 16 | Int(body[3]) << 8 | Int(body[4])
            let message = try Google_Protobuf_StringValue(serializedBytes: Array(body[5..<(5 + length)]))
            messages.insert(message.value)
            body.removeFirst(5 + length)
        }
        #expect(messages == Set((0..<Self.senders).map { "message \($0)" }), "every message of stream \(stream)")
    }
}

/// Just enough HTTP/2 framing to drive the server from a test.
enum H2Bytes {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    struct Frame {
        var type: UInt8
        var flags: UInt8
        var stream: UInt32
        var payload: [UInt8]
    }

    static func frame(type: UInt8, flags: UInt8, stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let count = payload.count
        return [UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF), type, flags]
            + [UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)]
            + payload
    }

    /// A gRPC request's HEADERS: HPACK literals without indexing, names
    /// and values under 127 bytes.
    static func headers(stream: UInt32, path: String) -> [UInt8] {
        let fields = [
            (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"),
            ("content-type", "application/grpc"), ("te", "trailers"),
        ]
        var block: [UInt8] = []
        for (name, value) in fields {
            block += [0, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
        }
        return frame(type: 1, flags: 0x4, stream: stream, block)
    }

    /// The whole frames at the start of `bytes`, and how many bytes they took.
    static func parse(_ bytes: [UInt8]) -> ([Frame], Int) {
        var frames: [Frame] = []
        var index = 0
        while index + 9 <= bytes.count {
            let length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            guard index + 9 + length <= bytes.count else { break }
            let stream = bytes[(index + 5)..<(index + 9)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF
            frames.append(
                Frame(
                    type: bytes[index + 3], flags: bytes[index + 4], stream: stream,
                    payload: Array(bytes[(index + 9)..<(index + 9 + length)])))
            index += 9 + length
        }
        return (frames, index)
    }
}
