import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HTTPServer

/// Shutdown on HTTP/1.1 keep-alive connections: what the listener's drain
/// (a `ChannelShouldQuiesceEvent` to each connection) does to one.
@Suite("HTTP/1.1 keep-alive connections at shutdown", .timeLimit(.minutes(1)))
struct KeepAliveDrainTests {
    func router() -> Router {
        var router = Router()
        router.add(.GET, "/healthz") { _ in .text(.ok, "ok") }
        return router
    }

    func quiesce(_ connection: HTTP1TestConnection) async {
        connection.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        await connection.channel.testingEventLoop.run()
    }

    @Test("an idle connection is not closed at once: a request sent just then is answered with connection: close")
    func requestInDrainWindow() async throws {
        try await HTTP1TestConnection.with(router: router(), drainWindow: .seconds(2)) { connection in
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await connection.responses()[0].hasPrefix("HTTP/1.1 200 OK"))
            await quiesce(connection)
            #expect(connection.channel.isActive, "the idle connection waits for the drain window")
            await connection.channel.testingEventLoop.advanceTime(by: .seconds(1))
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let last = try await connection.responses()[0]
            #expect(last.hasPrefix("HTTP/1.1 200 OK"))
            #expect(last.lowercased().contains("connection: close"))
            try await connection.waitForClose()
        }
    }

    @Test("an idle connection that gets no request within the drain window is closed when it ends")
    func idlePastDrainWindow() async throws {
        try await HTTP1TestConnection.with(router: router(), drainWindow: .seconds(2)) { connection in
            await quiesce(connection)
            await connection.channel.testingEventLoop.advanceTime(by: .milliseconds(1900))
            #expect(connection.channel.isActive)
            await connection.channel.testingEventLoop.advanceTime(by: .milliseconds(200))
            try await connection.waitForClose()
            #expect(try await connection.written().isEmpty)
        }
    }

    @Test("a request in progress is answered with connection: close, then the connection closes")
    func busyConnection() async throws {
        let slow = GatedRoute()
        var router = router()
        router.add(.GET, "/slow", slow.handler)
        try await HTTP1TestConnection.with(router: router) { connection in
            try await connection.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            await slow.entered()
            await quiesce(connection)
            #expect(connection.channel.isActive)
            slow.release()
            let response = try await connection.responses()[0]
            #expect(response.lowercased().contains("connection: close"))
            try await connection.waitForClose()
        }
    }
}
