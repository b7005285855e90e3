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
        let state = state
        // What goes through the listener's stream is the bare channel, which
        // NIO may drop harmlessly once the listener has closed; the async
        // channel (which NIO traps on if dropped unfinished) waits in `state`
        // for the accept loop, or is finished there.
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { () throws -> any Channel in
                    let connection = try Connection(wrappingChannelSynchronously: channel)
                    if !state.hold(connection) { Task { try? await connection.executeThenClose { _, _ in } } }
                    return channel
                }
            }
        port = server.channel.localAddress!.port!
        listener = server.channel
        task = Task {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { accepted in
                    for try await channel in accepted {
                        guard let inbound = state.claim(channel) else { continue }
                        group.addTask { try? await Self.relay(inbound, to: targetPort, state: state) }
                    }
                }
                // The listener closed: connections set up but never claimed are finished.
                for connection in state.stopHolding() {
                    group.addTask { try? await connection.executeThenClose { _, _ in } }
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

    /// Closes the listener; the accept loop then ends by itself and finishes
    /// what it never claimed (NIO traps on async channels dropped unfinished).
    func close() {
        cut()
        listener.close(promise: nil)
    }
}

private final class ProxyState: Sendable {
    let value = Mutex<(cut: Bool, channels: [any Channel])>((false, []))
    /// Connections set up and not yet claimed by the accept loop; nil once it ended.
    let held = Mutex<[ObjectIdentifier: TCPProxy.Connection]?>([:])

    /// Keeps `connection` for the accept loop; false once the loop has ended.
    func hold(_ connection: TCPProxy.Connection) -> Bool {
        held.withLock { held in
            guard held != nil else { return false }
            held![ObjectIdentifier(connection.channel)] = connection
            return true
        }
    }

    func claim(_ channel: any Channel) -> TCPProxy.Connection? {
        held.withLock { $0?.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// What was never claimed; from now on `hold` refuses.
    func stopHolding() -> [TCPProxy.Connection] {
        held.withLock { held in
            defer { held = nil }
            return held.map { Array($0.values) } ?? []
        }
    }

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
