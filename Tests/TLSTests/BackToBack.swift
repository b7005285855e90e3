import NIOCore
import NIOEmbedded
import NIOTLS
import TLS

/// A TLS client and server handler, each in an EmbeddedChannel, with the
/// bytes between them moved by hand: a whole TLS exchange with no socket.
final class BackToBack {
    let client = EmbeddedChannel()
    let server = EmbeddedChannel()
    let clientEvents = EventRecorder()
    let serverEvents = EventRecorder()

    init(client clientHandler: TLSHandler, server serverHandler: TLSHandler) throws {
        try client.pipeline.syncOperations.addHandlers([clientHandler, clientEvents])
        try server.pipeline.syncOperations.addHandlers([serverHandler, serverEvents])
    }

    /// Connects both channels, then moves bytes until neither has more to say.
    func connect() throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 443)
        _ = server.connect(to: address)
        _ = client.connect(to: address)
        try pump()
    }

    /// Moves pending bytes both ways until both are quiet.
    func pump() throws {
        var moved = true
        while moved {
            moved = false
            while client.isActive, let bytes = try client.readOutbound(as: ByteBuffer.self) {
                if server.isActive { try server.writeInbound(bytes) }
                moved = true
            }
            while server.isActive, let bytes = try server.readOutbound(as: ByteBuffer.self) {
                if client.isActive { try client.writeInbound(bytes) }
                moved = true
            }
        }
    }

    /// All the plaintext a side has received, as a string.
    func received(by channel: EmbeddedChannel) throws -> String {
        var text = ""
        while var buffer = try channel.readInbound(as: ByteBuffer.self) {
            text += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return text
    }
}

/// Records user events and errors that reach the end of a pipeline.
final class EventRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private(set) var negotiatedProtocols: [String?] = []
    private(set) var errors: [any Error] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted(let negotiated) = event {
            negotiatedProtocols.append(negotiated)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        errors.append(error)
    }

    var handshakeCompleted: Bool { !negotiatedProtocols.isEmpty }
    var tlsErrors: [TLSError] { errors.compactMap { $0 as? TLSError } }
}
