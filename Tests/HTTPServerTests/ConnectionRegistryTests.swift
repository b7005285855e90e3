import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import HTTPServer

/// NIO hands a new connection to the listener's child initializer, where the
/// registry starts tracking it, before registering it and making it active.
@Suite("Connection registry: the grace period's end")
struct ConnectionRegistryTests {
    let registry = ConnectionRegistry(
        metrics: ServerMetrics(listener: "registry-test"), logger: Logger(label: "registry-test"))

    @Test("a connection still open at the deadline is closed")
    func openConnectionIsCut() throws {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        registry.register(channel)
        registry.drain(gracePeriod: .zero)
        channel.embeddedEventLoop.advanceTime(to: .now())
        #expect(!channel.isActive)
        #expect(registry.count == 0)
    }

    @Test("a connection not yet active when the deadline passes is closed once it becomes active")
    func connectionActivatedAfterTheDeadlineIsCut() throws {
        let channel = EmbeddedChannel()
        registry.register(channel)
        registry.drain(gracePeriod: .zero)
        channel.embeddedEventLoop.advanceTime(to: .now())
        // NIO activates it only now; skipped at the deadline, it would be
        // served for as long as its client kept it (a watch: minutes).
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(50))
        #expect(!channel.isActive)
        #expect(registry.count == 0)
    }

    @Test("a connection closed before the deadline is forgotten, and the deadline leaves it alone")
    func closedConnectionIsForgotten() throws {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        registry.register(channel)
        registry.drain(gracePeriod: .seconds(1))
        try channel.close().wait()
        channel.embeddedEventLoop.run()
        #expect(registry.count == 0)
        channel.embeddedEventLoop.advanceTime(to: .now() + .seconds(2))
        #expect(!channel.isActive)
    }
}
