import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization
import Testing

@testable import HTTPServer

/// The HTTP/1.1 handler production builds (`HTTP1ServerHandler`: framing,
/// limits, timeouts, response header validation), driven in memory with raw
/// request bytes in and raw response bytes out.
@Suite("HTTP/1.1 limits, errors and timeouts in the pipeline")
struct PipelineHandlerTests {
    /// Records what reached the router.
    final class Seen: Sendable {
        let requests = Mutex<[String]>([])
        var count: Int { requests.withLock { $0.count } }
    }

    func router(_ seen: Seen = Seen()) -> Router {
        var router = Router()
        router.addPrefix("/") { request in
            seen.requests.withLock { $0.append("\(request.method) \(request.path) \(String(buffer: request.body))") }
            return .text(.ok, "ok")
        }
        return router
    }

    @Test("a declared length over the limit is refused with 413 before any body arrives")
    func contentLengthOverLimit() async throws {
        var limits = ConnectionLimits()
        limits.maxRequestBytes = 100
        let seen = Seen()
        try await HTTP1TestConnection.with(router: router(seen), limits: limits) { connection in
            try await connection.send("POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n")
            let response = try await connection.responses()[0]
            #expect(response.hasPrefix("HTTP/1.1 413 Payload Too Large"))
            #expect(response.contains("connection: close"))
            // The rest of the body is discarded while the connection lingers, then it closes.
            try await connection.send(String(repeating: "x", count: 101))
            await connection.settle()
            #expect(seen.count == 0, "nothing reached the application")
            #expect(connection.channel.isActive)
            await connection.channel.testingEventLoop.advanceTime(by: .seconds(3))
            try await connection.waitForClose()
        }
    }

    @Test("a chunked body is refused as soon as it passes the limit")
    func chunkedOverLimit() async throws {
        var limits = ConnectionLimits()
        limits.maxRequestBytes = 10
        let seen = Seen()
        try await HTTP1TestConnection.with(router: router(seen), limits: limits) { connection in
            try await connection.send(
                "POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n")
            await connection.settle()
            #expect(try await connection.written().isEmpty)
            try await connection.send("8\r\n12345678\r\n")
            #expect(try await connection.responses()[0].hasPrefix("HTTP/1.1 413"))
            #expect(seen.count == 0)
        }
    }

    @Test("a chunked body within the limit reaches the handler whole, through the aggregator")
    func chunkedWithinLimit() async throws {
        let seen = Seen()
        try await HTTP1TestConnection.with(router: router(seen)) { connection in
            try await connection.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
            #expect(try await connection.responses()[0].hasPrefix("HTTP/1.1 200 OK"))
            #expect(seen.requests.withLock { $0 } == ["POST /echo abcde"])
        }
    }

    @Test("headers over the limit get 431; malformed requests 400; both close")
    func parserErrors() async throws {
        var limits = ConnectionLimits()
        limits.maxHeaderBytes = 1024
        try await HTTP1TestConnection.with(router: router(), limits: limits) { big in
            try? await big.send("GET / HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 2000))\r\n\r\n")
            #expect(try await big.responses()[0].hasPrefix("HTTP/1.1 431 Request Header Fields Too Large"))
            try await big.waitForClose()

        }
        try await HTTP1TestConnection.with(router: router()) { malformed in
            try? await malformed.send("NOT HTTP AT ALL\r\n\r\n")
            #expect(try await malformed.responses()[0].hasPrefix("HTTP/1.1 400 Bad Request"))
            try await malformed.waitForClose()
        }
    }

    @Test("a response header that would split the response is refused by the header validator, not sent")
    func responseHeaderValidation() async throws {
        var router = Router()
        router.add(.GET, "/split") { _ in
            HTTPResponse(status: .ok, headers: ["x-injected": "a\r\nset-cookie: evil=1"])
        }
        try await HTTP1TestConnection.with(router: router) { connection in
            try await connection.send("GET /split HTTP/1.1\r\nHost: x\r\n\r\n")
            try await connection.waitForClose()
            #expect(!(try await connection.written().contains("evil")))
        }
    }

    @Test("a request that starts but does not finish within the read timeout is closed")
    func readTimeout() async throws {
        var limits = ConnectionLimits()
        limits.readTimeout = .seconds(5)
        limits.idleTimeout = .seconds(60)
        try await HTTP1TestConnection.with(router: router(), limits: limits) { connection in
            try await connection.send("GET /healthz HTTP/1.1\r\nHo")
            await connection.channel.testingEventLoop.advanceTime(by: .seconds(4))
            #expect(connection.channel.isActive)
            await connection.channel.testingEventLoop.advanceTime(by: .seconds(2))
            try await connection.waitForClose()
        }
    }

    @Test("an idle connection is closed after the idle timeout, and a handler's time does not count")
    func idleTimeout() async throws {
        var limits = ConnectionLimits()
        limits.readTimeout = .seconds(5)
        limits.idleTimeout = .seconds(10)
        let slow = GatedRoute()
        var router = Router()
        router.add(.GET, "/slow", slow.handler)
        try await HTTP1TestConnection.with(router: router, limits: limits) { connection in
            try await connection.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            await slow.entered()
            // A slow handler: no timer runs while the request is being handled.
            await connection.channel.testingEventLoop.advanceTime(by: .seconds(30))
            #expect(connection.channel.isActive)
            slow.release()
            #expect(try await connection.responses()[0].hasPrefix("HTTP/1.1 200 OK"))
            await connection.channel.testingEventLoop.advanceTime(by: .seconds(9))
            #expect(connection.channel.isActive)
            await connection.channel.testingEventLoop.advanceTime(by: .seconds(2))
            try await connection.waitForClose()
        }
    }

    @Test("pipelined requests to a route that never waits are all answered from one read, in order")
    func pipelinedSynchronousRoute() async throws {
        var router = Router()
        router.addSync(.POST, "/validate") { request in .text(.ok, String(buffer: request.body)) }
        try await HTTP1TestConnection.with(router: router) { connection in
            let request = { (body: String) in
                "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            }
            try await connection.send(request("one") + request("two") + request("three"))
            let responses = try await connection.responses(3)
            #expect(responses.map { $0.split(separator: "\r\n").last } == ["one\n", "two\n", "three\n"])
            #expect(connection.channel.isActive)
        }
    }
}
