import HTTPServer
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import TestSupport
import Testing

/// A listener that stops while clients keep connecting: a connection can be
/// accepted and set up just as the listener closes, after the accept loop's
/// stream has ended. NIO drops such a connection, and an HTTP/1 async channel
/// dropped with its writer unfinished traps the whole process ("Deinited
/// NIOAsyncWriter without calling finish()"), so a failure here is usually a
/// crash rather than a failed expectation.
@Suite("Listener shutdown while connections are being accepted", .timeLimit(.minutes(1)))
struct ShutdownAcceptRaceTests {
    enum Stop: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case gracefulShutdown
        case cancellation
        var testDescription: String { rawValue }
    }

    /// The race is narrow: each round is one shutdown among fresh
    /// connections, repeated within a bounded count and time.
    @Test("the server stops, every connection is closed, the process survives", arguments: Stop.allCases)
    func stopWhileAccepting(stop: Stop) async throws {
        // Several threads each side, so that connections are set up on other
        // event loops than the listener's while it closes.
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 4)
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let deadline = ContinuousClock.now + .seconds(12)
        var rounds = 0
        while rounds < 25, ContinuousClock.now < deadline {
            rounds += 1
            try await round(stop: stop, serverGroup: serverGroup, clientGroup: clientGroup)
        }
        try await clientGroup.shutdownGracefully()
        try await serverGroup.shutdownGracefully()
    }

    private func round(stop: Stop, serverGroup: any EventLoopGroup, clientGroup: any EventLoopGroup) async throws {
        let logger = Logger(label: "accept-race") { _ in SwiftLogNoOpLogHandler() }
        let served = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        var router = Router()
        router.add(.GET, "/healthz") { _ in
            served.continuation.yield()
            return .text(.ok, "ok")
        }
        let listening = Listening()
        let server = HTTPServer(
            configuration: ServerConfiguration(
                name: "accept-race", address: BindAddress(host: "127.0.0.1", port: 0), shutdownGracePeriod: .zero),
            router: router, logger: logger, group: serverGroup, onListening: listening.report)
        let services = ServiceGroup(services: [server], logger: logger)
        let running: Task<Void, any Error>
        switch stop {
        case .gracefulShutdown: running = Task { try await services.run() }
        case .cancellation: running = Task { try await server.run() }
        }
        let port = try await listening.port()

        try await withThrowingTaskGroup(of: Void.self) { clients in
            for _ in 0..<6 {
                clients.addTask { try await Self.connectUntilRefused(port: port, group: clientGroup) }
            }
            // Shut down once the server is busy with connections, while the
            // clients go on connecting.
            for await _ in served.stream { break }
            switch stop {
            case .gracefulShutdown: await services.triggerGracefulShutdown()
            case .cancellation: running.cancel()
            }
            try await running.value
            try await clients.waitForAll()
        }
    }

    /// Opens connections, each sending one request, until the listener
    /// refuses (it has closed) or a bounded number is reached; then waits for
    /// each to be closed: by the server once it answered, or at shutdown.
    private static func connectUntilRefused(port: Int, group: any EventLoopGroup) async throws {
        var open: [any Channel] = []
        for _ in 0..<100 {
            guard let channel = try? await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
            else { break }
            channel.writeAndFlush(
                ByteBuffer(string: "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), promise: nil)
            open.append(channel)
        }
        for channel in open {
            try await channel.closeFuture.get()
        }
    }
}
