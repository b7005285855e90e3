public import NIOCore
public import NIOHTTP1
public import TLS

/// A response whose body is read as it arrives (a watch): the head, then
/// chunks until the server ends the response.
public struct StreamingClientResponse: ~Copyable {
    public let status: HTTPResponseStatus
    public let headers: HTTPHeaders
    private var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private var ended = false

    init(
        status: HTTPResponseStatus, headers: HTTPHeaders,
        inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    ) {
        self.status = status
        self.headers = headers
        self.inbound = inbound
    }

    /// The next piece of the body; nil at its end.
    /// Throws `HTTPClientError.connectionClosed` if the connection ends first.
    public mutating func nextChunk() async throws -> ByteBuffer? {
        guard !ended else { return nil }
        switch try await inbound.next() {
        case .body(let chunk):
            return chunk
        case .end:
            ended = true
            return nil
        case .head, .none:
            ended = true
            throw HTTPClientError.connectionClosed
        }
    }

    /// The rest of the body, at most `limit` bytes of it.
    public mutating func collect(upTo limit: Int) async throws -> ByteBuffer {
        var body = ByteBuffer()
        while var chunk = try await nextChunk() {
            guard body.readableBytes + chunk.readableBytes <= limit else { throw HTTPClientError.bodyTooLarge(limit) }
            body.writeBuffer(&chunk)
        }
        return body
    }
}

extension HTTPClient {
    /// Sends `request` on a connection of its own and hands the response to
    /// `body` as soon as its head arrives; the connection closes when `body`
    /// returns. Cancelling the task closes it at once. Reading is
    /// back-pressured: a slow `body` slows the server down instead of
    /// buffering without bound.
    ///
    /// `headTimeout` bounds the connect and the wait for the response head;
    /// `totalTimeout`, when given, closes the connection that long after the
    /// request was sent, so a peer that vanished without a FIN (a cut
    /// network) cannot hold a watch open forever.
    public func stream<Result: Sendable>(
        _ request: ClientRequest,
        tls: TLSContext?,
        headTimeout: Duration,
        totalTimeout: Duration? = nil,
        _ body: (inout StreamingClientResponse) async throws -> Result
    ) async throws -> Result {
        // The stream reads HTTP/1.1 from the first byte: a context offering
        // h2 could have the server pick a protocol this path cannot read.
        if let tls, tls.applicationProtocols.contains("h2") {
            throw HTTPClientError.connectFailed("a streamed response needs a TLS context offering http/1.1 alone")
        }
        let channel = try await ClientChannel.connect(
            group: group, host: request.host, port: request.port, tls: tls, timeout: headTimeout
        ) { channel in
            try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
        }
        return try await channel.executeThenClose { inbound, outbound in
            // Armed before writing: the TLS handshake happens with the first write.
            let underlying = channel.channel
            let deadline = totalTimeout.map {
                underlying.eventLoop.scheduleTask(in: TimeAmount($0)) { underlying.close(promise: nil) }
            }
            defer { deadline?.cancel() }
            let timeout = underlying.eventLoop.scheduleTask(in: TimeAmount(headTimeout)) {
                underlying.close(promise: nil)
            }

            var headers = request.headers
            headers.replaceOrAdd(name: "host", value: request.hostHeader)
            headers.replaceOrAdd(name: "content-length", value: "\(request.body.readableBytes)")
            try await outbound.write(
                .head(HTTPRequestHead(version: .http1_1, method: request.method, uri: request.target, headers: headers))
            )
            if request.body.readableBytes > 0 { try await outbound.write(.body(.byteBuffer(request.body))) }
            try await outbound.write(.end(nil))

            var iterator = inbound.makeAsyncIterator()
            let first = try await withTaskCancellationHandler {
                try await iterator.next()
            } onCancel: {
                underlying.close(promise: nil)
            }
            timeout.cancel()
            guard case .head(let head) = first else {
                throw Task.isCancelled ? CancellationError() : HTTPClientError.connectionClosed
            }
            var response = StreamingClientResponse(status: head.status, headers: head.headers, inbound: iterator)
            return try await withTaskCancellationHandler {
                try await body(&response)
            } onCancel: {
                underlying.close(promise: nil)
            }
        }
    }
}
