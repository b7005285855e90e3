import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of `targetPort` that a test can cut:
/// every connection through it closes and new ones are refused, as when a
/// replica loses its network path to the API server.
final class TCPProxy: Sendable {
    let port: Int
    private let server: any Channel
    private let state = ProxyState()

    init(targetPort: Int) async throws {
        let state = state
        server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                guard !state.value.withLock({ $0.cut }) else { return inbound.close() }
                return ClientBootstrap(group: inbound.eventLoop).connect(host: "127.0.0.1", port: targetPort)
                    .flatMap { outbound in
                        state.value.withLock { $0.channels += [inbound, outbound] }
                        let (toOutbound, toInbound) = Glue.pair()
                        return inbound.pipeline.addHandler(toOutbound).flatMap {
                            outbound.pipeline.addHandler(toInbound)
                        }.map {
                            toOutbound.peer = outbound
                            toInbound.peer = inbound
                            inbound.read()
                            outbound.read()
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = server.localAddress!.port!
    }

    func cut() {
        let channels = state.value.withLock { state in
            state.cut = true
            defer { state.channels = [] }
            return state.channels
        }
        for channel in channels { channel.close(promise: nil) }
    }

    func restore() {
        state.value.withLock { $0.cut = false }
    }

    func close() {
        cut()
        server.close(promise: nil)
    }
}

/// Forwards what one channel reads to its peer, reading more once written.
private final class Glue: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    var peer: (any Channel)?

    static func pair() -> (Glue, Glue) { (Glue(), Glue()) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let channel = context.channel
        peer?.writeAndFlush(buffer).whenComplete { result in
            if case .success = result { channel.read() } else { channel.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer?.close(promise: nil)
    }
}

private final class ProxyState: Sendable {
    let value = Mutex<(cut: Bool, channels: [any Channel])>((false, []))
}
