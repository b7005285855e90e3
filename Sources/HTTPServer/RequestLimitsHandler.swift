import NIOCore
import NIOHTTP1

/// Refuses bodies over the limit with 413 before reading them, for every
/// path and before routing: a `content-length` over the limit at once, a
/// chunked body as soon as it passes the limit. The rest of the body is
/// discarded as it arrives, without being buffered, for a short linger so
/// that a client still uploading reads our 413 instead of a reset; then the
/// connection is closed.
final class RequestLimitsHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let maxRequestBytes: Int
    private let format: RefusalFormat
    private var bodyBytes = 0
    private var refused = false

    init(maxRequestBytes: Int, format: RefusalFormat = .plainText) {
        self.maxRequestBytes = maxRequestBytes
        self.format = format
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            bodyBytes = 0
            if let declared = head.headers.first(name: "content-length").flatMap(Int.init), declared > maxRequestBytes {
                refuse(context: context)
                return
            }
        case .body(let chunk):
            bodyBytes += chunk.readableBytes
            if bodyBytes > maxRequestBytes {
                refuse(context: context)
                return
            }
        case .end:
            break
        }
        context.fireChannelRead(data)
    }

    private func refuse(context: ChannelHandlerContext) {
        refused = true
        ClosingResponse(
            status: .payloadTooLarge, message: "request body larger than \(maxRequestBytes) bytes", linger: .seconds(2),
            format: format
        ).write(context: context)
    }
}

@available(*, unavailable)
extension RequestLimitsHandler: Sendable {}
