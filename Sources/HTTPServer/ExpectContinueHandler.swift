import NIOCore
import NIOHTTP1

/// Answers `Expect: 100-continue` with `100 Continue` (RFC 9110 §10.1.1),
/// so a client waiting for it sends its body at once instead of after its
/// own timeout (curl waits a second), or never.
///
/// It sits after the request limits: a request whose declared body is too
/// large is refused with 413 before it gets here, and so is never told to
/// go on.
final class ExpectContinueHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data), head.version != .http1_0,
            head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" })
        {
            let interim = HTTPResponseHead(version: head.version, status: .continue)
            context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
        }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ExpectContinueHandler: Sendable {}
