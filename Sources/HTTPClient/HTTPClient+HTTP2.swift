import HTTP2
import Synchronization
import TLS

/// The host's HTTP/2 connection, or the dial that will tell whether the
/// server speaks HTTP/2 at all.
enum MultiplexedSlot {
    case connecting(Task<NegotiatedConnection, any Error>)
    case ready(MultiplexedConnection)
}

extension HTTPClient {
    /// The host's HTTP/2 connection, if it takes new streams.
    func usableMultiplexed(for key: PoolKey) -> MultiplexedConnection? {
        multiplexed.withLock { slots in
            guard case .ready(let connection)? = slots[key], connection.isUsable else { return nil }
            return connection
        }
    }

    /// A new connection for `request`: HTTP/1.1 when the context offers
    /// nothing else; otherwise what the server picks. Callers that arrive
    /// while a host's first connection is being dialled wait for it rather
    /// than dial their own, so that concurrent calls share one HTTP/2
    /// connection; if the server picked HTTP/1.1, which carries one request
    /// at a time, each of the others dials its own.
    func connect(_ request: ClientRequest, key: PoolKey, tls: TLSContext?) async throws -> NegotiatedConnection {
        guard let tls, tls.applicationProtocols.contains("h2") else {
            return .http1(
                try await ClientConnection.connect(group: group, host: request.host, port: request.port, tls: tls))
        }
        let (dial, isOwner) = multiplexed.withLock { slots -> (Task<NegotiatedConnection, any Error>, Bool) in
            if case .ready(let connection)? = slots[key], connection.isUsable {
                return (Task { .http2(connection) }, false)
            }
            if case .connecting(let dial)? = slots[key] { return (dial, false) }
            let dial = Task { try await self.dialShared(request, key: key, tls: tls) }
            slots[key] = .connecting(dial)
            return (dial, true)
        }
        let connection = try await dial.value
        if case .http1 = connection, !isOwner {
            return try await ClientChannel.connectNegotiating(
                group: group, host: request.host, port: request.port, tls: tls, timeout: .seconds(10))
        }
        return connection
    }

    private func dialShared(_ request: ClientRequest, key: PoolKey, tls: TLSContext) async throws
        -> NegotiatedConnection
    {
        do {
            let connection = try await ClientChannel.connectNegotiating(
                group: group, host: request.host, port: request.port, tls: tls, timeout: .seconds(10))
            multiplexed.withLock { slots in
                if case .http2(let shared) = connection { slots[key] = .ready(shared) } else { slots[key] = nil }
            }
            return connection
        } catch {
            multiplexed.withLock { $0[key] = nil }
            throw error
        }
    }
}
