import NIOCore
import NIOHTTP1
import TLS

/// One keep-alive connection: requests go out one at a time, each answered
/// through a promise fulfilled by the response collector on the event loop.
final class ClientConnection: Sendable {
    let channel: any Channel

    init(channel: any Channel) {
        self.channel = channel
    }

    static func connect(group: any EventLoopGroup, host: String, port: Int, tls: TLSContext?) async throws
        -> ClientConnection
    {
        try await ClientChannel.connect(group: group, host: host, port: port, tls: tls, timeout: .seconds(10)) {
            channel in
            try channel.pipeline.syncOperations.addHandler(ResponseCollector())
            return ClientConnection(channel: channel)
        }
    }

    var isActive: Bool { channel.isActive }

    /// The connection was closed before any byte of the request was
    /// written: sending it elsewhere cannot repeat it.
    struct RequestNotSent: Error {}

    func send(_ request: ClientRequest) -> EventLoopFuture<ClientResponse> {
        let channel = channel
        let promise = channel.eventLoop.makePromise(of: ClientResponse.self)
        var headers = request.headers
        if !headers.contains(name: "host") { headers.add(name: "host", value: request.hostHeader) }
        headers.replaceOrAdd(name: "content-length", value: "\(request.body.readableBytes)")
        let head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.target, headers: headers)
        let outbound = ResponseCollector.Outbound(head: head, body: request.body, promise: promise)
        channel.eventLoop.execute {
            // On the event loop the channel's state cannot change under us: a
            // connection closed by now (a pooled one the server dropped) gets
            // nothing of this request.
            guard channel.isActive else {
                promise.fail(RequestNotSent())
                return
            }
            // A write that fails never reaches the collector, so nothing else
            // would complete the promise: fail it with the write. (Once the
            // response succeeded, a later failure is ignored.)
            channel.writeAndFlush(outbound).whenFailure { error in promise.fail(error) }
        }
        return promise.futureResult
    }

    func isReusable(after response: ClientResponse) -> Bool {
        channel.isActive && response.keepsConnectionOpen
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// Writes a request and collects its response into the waiting promise.
final class ResponseCollector: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Outbound
    typealias OutboundOut = HTTPClientRequestPart

    struct Outbound {
        var head: HTTPRequestHead
        var body: ByteBuffer
        var promise: EventLoopPromise<ClientResponse>
    }

    private var waiting: EventLoopPromise<ClientResponse>?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard waiting == nil else {
            request.promise.fail(HTTPClientError.connectionClosed)
            return
        }
        waiting = request.promise
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if request.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = ByteBuffer()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head, let waiting else { return }
            self.waiting = nil
            self.head = nil
            waiting.succeed(
                ClientResponse(status: head.status, headers: head.headers, body: body, version: head.version))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        waiting?.fail(error)
        waiting = nil
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        waiting?.fail(HTTPClientError.connectionClosed)
        waiting = nil
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension ResponseCollector: Sendable {}
