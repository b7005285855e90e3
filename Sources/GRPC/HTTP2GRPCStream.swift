import HTTP2
public import HTTPServer
import NIOCore

/// An HTTP/2 stream as a gRPC call: the one place where `GRPC` meets
/// `HTTP2Stream`.
struct HTTP2GRPCStream: GRPCServerStream {
    let stream: HTTP2Stream

    var requestHeaders: [HTTP2Header] { stream.headers }
    var requestBody: Body { Body(base: stream.body) }

    func write(_ bytes: ByteBuffer, startingResponseWith headers: [HTTP2Header]) async throws {
        do {
            try await stream.write(bytes, startingResponseWith: headers)
        } catch let reset as HTTP2StreamReset {
            throw Self.cancelled(by: reset)
        }
    }

    /// A reset stream is a cancelled call; the server knows only the latter.
    static func cancelled(by reset: HTTP2StreamReset) -> GRPCStatus {
        GRPCStatus(.cancelled, reset.description)
    }

    /// The request body, its resets turned into CANCELLED.
    struct Body: AsyncSequence, Sendable {
        let base: HTTP2RequestBody

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: HTTP2RequestBody.AsyncIterator

            mutating func next() async throws -> ByteBuffer? {
                do {
                    return try await base.next()
                } catch let reset as HTTP2StreamReset {
                    throw HTTP2GRPCStream.cancelled(by: reset)
                }
            }
        }

        func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: base.makeAsyncIterator())
        }
    }

    func finish(trailers: [HTTP2Header], trailersOnlyHeaders headers: [HTTP2Header]) async throws {
        // Called once the method has returned, when its senders are done:
        // nothing starts the response between the check and the answer.
        if try await stream.hasResponded() {
            try await stream.write(ByteBuffer(), end: true, trailers: trailers)
        } else {
            try await stream.respond(headers: headers + trailers, endStream: true)
        }
    }

    func hasResponded() async throws -> Bool {
        try await stream.hasResponded()
    }

    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        stream.onCancel(handler)
    }

    func disableReadTimeout() {
        stream.disableReadTimeout()
    }
}

extension GRPCServer {
    /// A router that sends every HTTP/2 stream here, for a gRPC-only listener.
    public var router: Router {
        var router = Router()
        router.addStream(prefix: "/") { stream in await self.serve(HTTP2GRPCStream(stream: stream)) }
        return router
    }
}
