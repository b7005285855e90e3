public import NIOCore

/// Servers in tests bind port 0 and report the port they got through an
/// `onListening` callback. Hand a server `report`, start it, then await
/// `port()`: the one way every test learns its server's port, on the event
/// itself rather than by polling.
public final class Listening: Sendable {
    private let ports: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    public init() {
        (ports, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The `onListening` callback to give the server.
    public var report: @Sendable (SocketAddress) -> Void {
        { [continuation] address in continuation.yield(address.port ?? 0) }
    }

    /// The port the server reported, waiting at most `within` for it.
    public func port(within: Duration = .seconds(30)) async throws -> Int {
        let ports = ports
        return try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                for await port in ports { return port }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: within)
                return nil
            }
            defer { group.cancelAll() }
            guard let port = try await group.next() ?? nil else { throw NotListening(within: within) }
            return port
        }
    }

    public struct NotListening: Error, CustomStringConvertible {
        public var within: Duration
        public var description: String { "the server did not report a listening port within \(within)" }
    }
}
