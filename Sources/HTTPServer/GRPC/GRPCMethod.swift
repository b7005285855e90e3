import HTTP2
import NIOCore
public import SwiftProtobuf

/// One method of a service: unary, server-streaming or bidirectional.
/// Messages are SwiftProtobuf messages; the framing is the server's.
public struct GRPCMethod: Sendable {
    let run: @Sendable (GRPCRequestMessages, GRPCResponseWriter) async throws -> Void

    /// One request, one response.
    public static func unary<Request: Message, Response: Message>(
        _ body: @escaping @Sendable (Request) async throws -> Response
    ) -> GRPCMethod {
        GRPCMethod { requests, writer in
            let request: Request = try await requests.single()
            try await writer.send(try await body(request))
        }
    }

    /// One request, a stream of responses.
    public static func serverStreaming<Request: Message, Response: Message>(
        _ body: @escaping @Sendable (Request, GRPCStreamWriter<Response>) async throws -> Void
    ) -> GRPCMethod {
        GRPCMethod { requests, writer in
            let request: Request = try await requests.single()
            try await body(request, GRPCStreamWriter(writer: writer))
        }
    }

    /// Streams both ways.
    public static func bidirectional<Request: Message, Response: Message>(
        _ body: @escaping @Sendable (GRPCMessageStream<Request>, GRPCStreamWriter<Response>) async throws -> Void
    ) -> GRPCMethod {
        GRPCMethod { requests, writer in
            try await body(GRPCMessageStream(messages: requests), GRPCStreamWriter(writer: writer))
        }
    }
}

/// A service: its full name and its methods by name.
public protocol GRPCService: Sendable {
    /// Such as `grpc.health.v1.Health`.
    var serviceName: String { get }
    var methods: [String: GRPCMethod] { get }
}

/// Typed requests of a streaming call.
public struct GRPCMessageStream<Message: SwiftProtobuf.Message>: AsyncSequence, Sendable {
    public typealias Element = Message
    let messages: GRPCRequestMessages

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: GRPCRequestMessages.AsyncIterator

        public mutating func next() async throws -> Message? {
            guard let bytes = try await base.next() else { return nil }
            return try decodeMessage(bytes)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: messages.makeAsyncIterator())
    }
}

/// Sends typed responses on a streaming call.
public struct GRPCStreamWriter<Message: SwiftProtobuf.Message>: Sendable {
    let writer: GRPCResponseWriter

    public func send(_ message: Message) async throws {
        try await writer.send(message)
    }
}

func decodeMessage<Message: SwiftProtobuf.Message>(_ bytes: [UInt8]) throws -> Message {
    do {
        return try Message(serializedBytes: bytes)
    } catch {
        throw GRPCStatus(.internal, "cannot decode \(Message.protoMessageName): \(error)")
    }
}

/// Raw request messages of a call, cut out of the stream's DATA.
struct GRPCRequestMessages: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let body: HTTP2RequestBody

    struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: HTTP2RequestBody.AsyncIterator
        var decoder = GRPCMessageDecoder()

        mutating func next() async throws -> [UInt8]? {
            while true {
                if let message = try decoder.next() { return message }
                guard let chunk = try await chunks.next() else {
                    if decoder.hasPartialMessage { throw GRPCStatus(.internal, "the request ended inside a message") }
                    return nil
                }
                decoder.append(chunk)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunks: body.makeAsyncIterator())
    }

    /// Exactly one message, as unary and server-streaming calls take.
    func single<Message: SwiftProtobuf.Message>() async throws -> Message {
        var iterator = makeAsyncIterator()
        guard let first = try await iterator.next() else {
            throw GRPCStatus(.internal, "the call expects one request message and got none")
        }
        guard try await iterator.next() == nil else {
            throw GRPCStatus(.internal, "the call expects one request message and got more")
        }
        return try decodeMessage(first)
    }
}

/// Writes a call's response: headers before the first message, then
/// length-prefixed messages.
///
/// Safe for concurrent senders: each message goes out in one step on the
/// connection's loop, which sends the headers first if nobody has yet, so
/// no message can overtake the headers and be lost.
final class GRPCResponseWriter: Sendable {
    let stream: HTTP2Stream

    init(stream: HTTP2Stream) {
        self.stream = stream
    }

    func send(_ message: some SwiftProtobuf.Message) async throws {
        let bytes: [UInt8]
        do {
            bytes = try message.serializedBytes()
        } catch {
            throw GRPCStatus(.internal, "cannot encode \(type(of: message).protoMessageName): \(error)")
        }
        try await stream.write(GRPCFraming.frame(bytes), startingResponseWith: GRPCServer.responseHeaders)
    }
}
