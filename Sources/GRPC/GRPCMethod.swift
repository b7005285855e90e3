public import SwiftProtobuf

/// One method of a service: unary, server-streaming or bidirectional.
/// Messages are SwiftProtobuf messages; the framing is the server's.
public struct GRPCMethod: Sendable {
    /// Whether the call may last: streaming calls are ended at once when
    /// the server shuts down, unary ones are left to finish.
    let isStreaming: Bool
    let run: @Sendable (GRPCRequestMessages, GRPCResponseWriter) async throws -> Void

    /// One request, one response.
    public static func unary<Request: Message, Response: Message>(
        _ body: @escaping @Sendable (Request) async throws -> Response
    ) -> GRPCMethod {
        GRPCMethod(isStreaming: false) { requests, writer in
            let request: Request = try await requests.single()
            try await writer.send(try await body(request))
        }
    }

    /// One request, a stream of responses.
    public static func serverStreaming<Request: Message, Response: Message>(
        _ body: @escaping @Sendable (Request, GRPCStreamWriter<Response>) async throws -> Void
    ) -> GRPCMethod {
        GRPCMethod(isStreaming: true) { requests, writer in
            let request: Request = try await requests.single()
            try await body(request, GRPCStreamWriter(writer: writer))
        }
    }

    /// Streams both ways.
    public static func bidirectional<Request: Message, Response: Message>(
        _ body: @escaping @Sendable (GRPCMessageStream<Request>, GRPCStreamWriter<Response>) async throws -> Void
    ) -> GRPCMethod {
        GRPCMethod(isStreaming: true) { requests, writer in
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
