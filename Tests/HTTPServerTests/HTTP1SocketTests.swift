import HTTPServer
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

/// HTTP/1.1 over a real socket, where NIO's reads and their holding matter.
@Suite("HTTP/1.1 over a socket", .timeLimit(.minutes(1)))
struct HTTP1SocketTests {
    /// Collects what the server writes.
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let text = Mutex("")

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Self.unwrapInboundIn(data)
            text.withLock { $0 += String(buffer: bytes) }
        }

        func waitFor(_ count: Int, of needle: String) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while text.withLock({ $0.components(of: needle) }) < count {
                guard ContinuousClock.now < deadline else {
                    Issue.record("waited for \(count) × \(needle); got \(text.withLock { $0 })")
                    return
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    @Test(
        "a pipelined request whose body is half there when the one before is answered is read on when the rest arrives")
    func pipelinedPartialRequest() async throws {
        let slow = GatedRoute(answering: "slow")
        var router = Router()
        router.add(.GET, "/slow", slow.handler)
        router.add(.POST, "/fast") { request in .text(.ok, String(buffer: request.body)) }
        let logger = Logger(label: "socket-test")
        let listening = Listening()
        let server = HTTPServer(
            configuration: ServerConfiguration(
                name: "socket-test", address: BindAddress(host: "127.0.0.1", port: 0), shutdownGracePeriod: .zero),
            router: router, logger: logger, onListening: listening.report)
        let services = ServiceGroup(services: [server], logger: logger)
        let running = Task { try await services.run() }
        let port = try await listening.port()
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()

        try await channel.writeAndFlush(ByteBuffer(string: "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"))
        await slow.entered()
        // Arrives while /slow is being answered: the server buffers it and holds its reads.
        try await channel.writeAndFlush(
            ByteBuffer(string: "POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab"))
        try await Task.sleep(for: .milliseconds(100))
        slow.release()
        try await collector.waitFor(1, of: "HTTP/1.1 200 OK")
        try await channel.writeAndFlush(ByteBuffer(string: "cd"))
        try await collector.waitFor(2, of: "HTTP/1.1 200 OK")
        #expect(collector.text.withLock { $0.hasSuffix("abcd\n") })

        try await channel.close()
        await services.triggerGracefulShutdown()
        try await running.value
    }
}

extension String {
    fileprivate func components(of needle: String) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.firstRange(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
