import HTTP2
import NIOCore
import NIOHTTP1
import Synchronization

/// One HTTP/2 connection shared by every request to its host: each
/// request is a stream of its own, answered through a promise that the
/// `HTTP2ClientHandler` fulfils on the event loop.
final class MultiplexedConnection: Sendable {
    let channel: any Channel
    private let goingAway = Atomic<Bool>(false)
    private let lastToken = Atomic<UInt64>(0)

    init(channel: any Channel) {
        self.channel = channel
    }

    /// False once the server sent GOAWAY or the connection closed: new
    /// requests then need a new connection, while those in flight finish.
    var isUsable: Bool { channel.isActive && !goingAway.load(ordering: .acquiring) }

    func markGoingAway() { goingAway.store(true, ordering: .releasing) }

    /// Throws `HTTP2ClientError` with `.notSent` when the request never
    /// left (the connection was going away): it may be sent elsewhere.
    func send(_ request: ClientRequest) async throws -> ClientResponse {
        let channel = channel
        let token = lastToken.wrappingAdd(1, ordering: .relaxed).newValue
        let promise = channel.eventLoop.makePromise(of: HTTP2ClientResponse.self)
        let outbound = HTTP2ClientOutbound.request(
            headers: Self.fields(of: request), body: request.body, token: token, promise: promise)
        channel.eventLoop.execute {
            // A write that fails before the handler (the channel closed)
            // never submitted the request.
            channel.writeAndFlush(outbound).whenFailure { error in
                promise.fail(error as? HTTP2ClientError ?? HTTP2ClientError(streamID: nil, problem: .notSent))
            }
        }
        // A future does not hear cancellation: resetting the stream fails it
        // at once, and leaves the other streams of the connection alone.
        let response = try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            channel.eventLoop.execute { channel.writeAndFlush(HTTP2ClientOutbound.cancel(token: token), promise: nil) }
        }
        return ClientResponse(
            status: HTTPResponseStatus(statusCode: response.status),
            headers: HTTPHeaders(response.headers.map { ($0.name, $0.value) }),
            body: response.body, version: .http2)
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Header fields that mean something only to one HTTP/1.1 connection,
    /// which RFC 9113 §8.2.2 forbids in HTTP/2; `host` becomes `:authority`.
    static let connectionSpecific: Set<String> = [
        "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length",
    ]

    /// The request's pseudo-headers, then its fields in lower case.
    static func fields(of request: ClientRequest) -> [HTTP2Header] {
        let authority = request.headers.first(name: "host") ?? request.hostHeader
        var fields = [
            HTTP2Header(":method", request.method.rawValue), HTTP2Header(":scheme", request.scheme),
            HTTP2Header(":authority", authority), HTTP2Header(":path", request.target),
        ]
        for (name, value) in request.headers {
            let name = name.lowercased()
            guard !connectionSpecific.contains(name), name != "te" || value.lowercased() == "trailers" else { continue }
            fields.append(HTTP2Header(name, value))
        }
        fields.append(HTTP2Header("content-length", "\(request.body.readableBytes)"))
        return fields
    }
}
