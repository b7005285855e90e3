import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Ports for servers that must be told theirs in advance, which the tests
/// cannot learn by binding port 0 themselves: Envoy's proxy listener, whose
/// port comes from the xDS server's Listener resource.
///
/// They come from below the kernel's ephemeral range: a port bound to 0 by
/// another server, or the source port of any outgoing connection, never
/// lands there, so a port picked here stays free however long the server
/// takes to bind it. (Picked from the ephemeral range, one was taken by a
/// busy suite's connections in the seconds before Envoy bound it.)
public enum FreePort {
    /// Each port is handed out once per test process.
    private static let next = Mutex(Int.random(in: 0..<4096))

    public static func pick() async throws -> Int {
        let range = belowEphemeralRange
        for _ in 0..<range.count {
            let port = next.withLock { offset in
                defer { offset += 1 }
                return range.lowerBound + offset % range.count
            }
            if await isFree(port) { return port }
        }
        throw EnvoyTestError("no free port in \(range)")
    }

    /// The ports from 10,000 up to where the ephemeral range starts.
    static let belowEphemeralRange: Range<Int> = {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let first = text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
        return 10_000..<max(first, 20_000)
    }()

    /// Nothing listens on `port`, and nothing holds it as a local address.
    private static func isFree(_ port: Int) async -> Bool {
        guard
            let channel = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: port).get()
        else { return false }
        try? await channel.close()
        return true
    }
}
