import NIOCore
import SwiftProtobuf

/// Raw request messages of a call, cut out of the transport's body chunks.
struct GRPCRequestMessages: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    /// Opens the body for reading; the transport's own body type is hidden
    /// here so that methods stay independent of it.
    private let openBody: @Sendable () -> () async throws -> ByteBuffer?

    init<Body: AsyncSequence & Sendable>(body: Body) where Body.Element == ByteBuffer {
        openBody = {
            var chunks = body.makeAsyncIterator()
            return { try await chunks.next() }
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let nextChunk: () async throws -> ByteBuffer?
        var decoder = GRPCMessageDecoder()

        mutating func next() async throws -> [UInt8]? {
            while true {
                if let message = try decoder.next() { return message }
                guard let chunk = try await nextChunk() else {
                    if decoder.hasPartialMessage { throw GRPCStatus(.internal, "the request ended inside a message") }
                    return nil
                }
                decoder.append(chunk)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(nextChunk: openBody())
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
