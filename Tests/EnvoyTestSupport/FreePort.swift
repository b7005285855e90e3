import NIOCore
import NIOPosix

/// Ports for servers that must be told theirs in advance, which the tests
/// cannot learn by binding port 0 themselves: Envoy's proxy listener, whose
/// port comes from the xDS server's Listener resource.
public enum FreePort {
    /// A loopback port that nothing listens on now. Another process may take
    /// it before the server binds it; the window is a few milliseconds.
    public static func pick() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw EnvoyTestError("a socket bound to port 0 had no port") }
        return port
    }
}
