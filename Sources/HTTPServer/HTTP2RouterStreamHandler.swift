import HTTP2
import Logging
import NIOCore
import NIOHTTP1

/// Serves HTTP/2 streams from the router: a stream route takes the stream
/// as it is; any other request is read whole (within the body limit),
/// answered by the route's handler, and written back.
struct HTTP2RouterStreamHandler: HTTP2StreamHandler {
    let router: Router
    let limits: ConnectionLimits
    let metrics: ServerMetrics
    let logger: Logger
    /// The connection every stream of this handler arrives on.
    var connection = ConnectionInfo()

    func handle(_ stream: HTTP2Stream) {
        // A stream route's request body is a long-lived message stream (gRPC
        // streaming calls), bounded by its own deadlines, not by the read timeout.
        if router.streamHandler(for: stream.header(":path") ?? "/") != nil { stream.disableReadTimeout() }
        let executor = EventLoopTaskExecutor(stream.eventLoop)
        let task = Task(executorPreference: executor) {
            await serve(stream)
        }
        stream.onCancel { task.cancel() }
    }

    private func serve(_ stream: HTTP2Stream) async {
        let path = stream.header(":path") ?? "/"
        let method = HTTPMethod(rawValue: stream.header(":method") ?? "GET")
        let started = ContinuousClock.now
        var status = HTTPResponseStatus.ok
        defer {
            metrics.requestCompleted(
                route: router.routeLabel(for: path.split(separator: "?").first.map(String.init) ?? path),
                method: method, status: status, duration: ContinuousClock.now - started)
        }
        if let handler = router.streamHandler(for: path) {
            do {
                try await handler(stream)
            } catch {
                logger.debug("stream handler failed", metadata: ["path": "\(path)", "error": "\(error)"])
                await stream.reset(errorCode: HTTP2ErrorCode.internalError)
            }
            return
        }
        do {
            let body: ByteBuffer
            do {
                body = try await stream.body.collect(upTo: limits.maxRequestBytes)
            } catch let tooLarge as HTTP2BodyTooLarge {
                status = .payloadTooLarge
                try await send(limits.refusalFormat.response(.payloadTooLarge, tooLarge.description), on: stream)
                return
            }
            var headers = HTTPHeaders()
            for header in stream.headers where !header.name.hasPrefix(":") {
                headers.add(name: header.name, value: header.value)
            }
            if let authority = stream.header(":authority"), !headers.contains(name: "host") {
                headers.add(name: "host", value: authority)
            }
            let request = HTTPRequest(
                method: method, uri: path, headers: headers, body: body, connection: connection, version: .http2)
            let response = await router.respond(to: request, logger: logger)
            status = response.status
            try await send(response, on: stream)
        } catch {
            logger.debug("HTTP/2 stream ended", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    private func send(_ response: HTTPResponse, on stream: HTTP2Stream) async throws {
        var headers = [HTTP2Header(":status", "\(response.status.code)")]
        for (name, value) in response.headers where !Self.connectionSpecific.contains(name.lowercased()) {
            headers.append(HTTP2Header(name.lowercased(), value))
        }
        if let producer = response.producer {
            try await stream.respond(headers: headers)
            try? await producer(HTTP2BodyWriter(stream: stream))
            try await stream.write(ByteBuffer(), end: true)
            return
        }
        headers.append(HTTP2Header("content-length", "\(response.body.readableBytes)"))
        let empty = response.body.readableBytes == 0
        try await stream.respond(headers: headers, endStream: empty)
        if !empty { try await stream.write(response.body, end: true) }
    }

    /// Headers HTTP/2 forbids (RFC 9113 §8.2.2), and one we set ourselves.
    private static let connectionSpecific: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length",
    ]
}

/// Streams body pieces to an HTTP/2 stream as DATA frames.
struct HTTP2BodyWriter: HTTPBodyWriter {
    let stream: HTTP2Stream

    func write(_ bytes: ByteBuffer) async throws {
        try await stream.write(bytes)
    }
}
