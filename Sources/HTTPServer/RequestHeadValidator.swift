import NIOCore
import NIOHTTP1

/// Refuses with 400, then closes, a request whose `Host` header breaks RFC
/// 9112 §3.2: an HTTP/1.1 request without one, any request with more than
/// one, or one whose value cannot be a host (a list, or whitespace). What
/// follows on the connection is discarded.
final class RequestHeadValidator: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        if case .head(let head) = unwrapInboundIn(data), let problem = Self.hostProblem(head) {
            refused = true
            ClosingResponse(status: .badRequest, message: problem, linger: .seconds(2)).write(context: context)
            return
        }
        context.fireChannelRead(data)
    }

    /// Why the request's `Host` is refused, or nil when it is acceptable.
    static func hostProblem(_ head: HTTPRequestHead) -> String? {
        let hosts = head.headers["host"]
        if hosts.count > 1 { return "more than one Host header" }
        guard let host = hosts.first else {
            let requiresHost = head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1)
            return requiresHost ? "an HTTP/1.1 request needs a Host header" : nil
        }
        if host.contains(where: { $0 == "," || $0 == " " || $0 == "\t" }) { return "invalid Host header" }
        return nil
    }
}

@available(*, unavailable)
extension RequestHeadValidator: Sendable {}
