import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy on 127.0.0.1 in front of `targetPort` that a test can cut:
/// every connection through it closes and new ones are refused, as when a
/// replica loses its network path to the API server.
final class TCPProxy: Sendable {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    let port: Int
    private let state = ProxyState()
    private let listener: any Channel
    private let task: Task<Void, any Error>

    init(targetPort: Int) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try Connection(wrappingChannelSynchronously: channel) }
            }
        port = server.channel.localAddress!.port!
        listener = server.channel
        let state = state
        task = Task {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { accepted in
                    for try await inbound in accepted {
                        group.addTask { try? await Self.relay(inbound, to: targetPort, state: state) }
                    }
                }
            }
        }
    }

    /// Every path goes through executeThenClose, which finishes the
    /// channels' writers (NIO traps on a writer dropped unfinished).
    private static func relay(_ inbound: Connection, to port: Int, state: ProxyState) async throws {
        try await inbound.executeThenClose { inboundReads, inboundWrites in
            guard !state.isCut else { return }
            let outbound = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try Connection(wrappingChannelSynchronously: channel) }
                }
            try await outbound.executeThenClose { outboundReads, outboundWrites in
                state.track([inbound.channel, outbound.channel])
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for try await bytes in inboundReads { try await outboundWrites.write(bytes) } }
                    group.addTask { for try await bytes in outboundReads { try await inboundWrites.write(bytes) } }
                    // When either side ends, the relay ends and both close.
                    _ = try await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    /// Closes every relayed connection and refuses new ones until `restore`.
    func cut() {
        for channel in state.cut() { channel.close(promise: nil) }
    }

    func restore() {
        state.value.withLock { $0.cut = false }
    }

    /// Closes the listener; the accept loop then ends by itself after
    /// handing over what was queued (a cancelled loop would drop queued
    /// channels, which NIO traps on).
    func close() {
        cut()
        listener.close(promise: nil)
    }
}

private final class ProxyState: Sendable {
    let value = Mutex<(cut: Bool, channels: [any Channel])>((false, []))

    var isCut: Bool { value.withLock { $0.cut } }

    /// Remembers `channels` to close on a cut; closes them now if cut already.
    func track(_ channels: [any Channel]) {
        let cut = value.withLock { state in
            if !state.cut { state.channels += channels }
            return state.cut
        }
        if cut { for channel in channels { channel.close(promise: nil) } }
    }

    func cut() -> [any Channel] {
        value.withLock { state in
            state.cut = true
            defer { state.channels = [] }
            return state.channels
        }
    }
}
