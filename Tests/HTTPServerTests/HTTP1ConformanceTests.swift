import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization
import Testing

@testable import HTTPServer

/// RFC 9112 behaviours that curl hides, checked with raw bytes against the
/// production pipeline and request loop.
@Suite("HTTP/1.1 conformance (RFC 9112)", .timeLimit(.minutes(1)))
struct HTTP1ConformanceTests {
    final class Seen: Sendable {
        let requests = Mutex<[HTTPRequest]>([])
        var count: Int { requests.withLock { $0.count } }
    }

    func router(_ seen: Seen = Seen()) -> Router {
        var router = Router()
        router.add(.GET, "/healthz") { request in
            seen.requests.withLock { $0.append(request) }
            return .text(.ok, "ok")
        }
        router.add(.POST, "/mutate") { request in
            seen.requests.withLock { $0.append(request) }
            return HTTPResponse(status: .ok, body: request.body)
        }
        router.add(.GET, "/stream") { _ in
            .streaming(.ok) { writer in try await writer.write(ByteBuffer(string: "streamed")) }
        }
        return router
    }

    @Test("Expect: 100-continue is answered with 100 Continue before the body is sent, then the final response")
    func expectContinue() async throws {
        let seen = Seen()
        try await HTTP1TestConnection.with(router: router(seen)) { connection in
            try await connection.send(
                "POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let interim = try await connection.read(until: { $0.contains("\r\n\r\n") })
            #expect(interim == "HTTP/1.1 100 Continue\r\n\r\n")
            try await connection.send("hello")
            let final = try await connection.responses()[0]
            #expect(final.hasPrefix("HTTP/1.1 200 OK"))
            #expect(final.hasSuffix("\r\n\r\nhello"))
        }
    }

    @Test("a body declared over the limit with Expect: 100-continue gets 413, never 100 Continue")
    func expectContinueOverLimit() async throws {
        var limits = ConnectionLimits()
        limits.maxRequestBytes = 4
        try await HTTP1TestConnection.with(router: router(), limits: limits) { connection in
            try await connection.send(
                "POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let response = try await connection.responses()[0]
            #expect(response.hasPrefix("HTTP/1.1 413"))
        }
    }

    @Test("after a response marked connection: close, further bytes are ignored, not answered")
    func nothingAfterClose() async throws {
        let seen = Seen()
        try await HTTP1TestConnection.with(router: router(seen)) { connection in
            try await connection.send(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nthis is not HTTP\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            try await connection.waitForClose()
            let output = try await connection.written()
            let responses = HTTP1TestConnection.split(output)
            #expect(responses.count == 1, "\(output)")
            #expect(responses.first?.hasPrefix("HTTP/1.1 200 OK") == true)
            #expect(responses.first?.lowercased().contains("connection: close") == true)
            #expect(seen.count == 1)
        }
    }

    @Test("an HTTP/1.0 request without keep-alive is answered once; what follows is ignored")
    func http10Closes() async throws {
        try await HTTP1TestConnection.with(router: router()) { connection in
            try await connection.send("GET /healthz HTTP/1.0\r\n\r\nGARBAGE\r\n\r\n")
            try await connection.waitForClose()
            let responses = HTTP1TestConnection.split(try await connection.written())
            #expect(responses.count == 1)
            #expect(responses.first?.hasPrefix("HTTP/1.0 200 OK") == true)
        }
    }

    @Test("an HTTP/1.1 request without Host gets 400 and is not served")
    func missingHost() async throws {
        let seen = Seen()
        try await HTTP1TestConnection.with(router: router(seen)) { connection in
            try await connection.send("GET /healthz HTTP/1.1\r\n\r\n")
            let response = try await connection.responses()[0]
            #expect(response.hasPrefix("HTTP/1.1 400 Bad Request"))
            #expect(response.contains("Host"))
            #expect(seen.count == 0)
        }
    }

    @Test("a request with two Host headers gets 400 and is not served")
    func twoHosts() async throws {
        let seen = Seen()
        try await HTTP1TestConnection.with(router: router(seen)) { connection in
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
            #expect(try await connection.responses()[0].hasPrefix("HTTP/1.1 400 Bad Request"))
            #expect(seen.count == 0)
        }
    }

    @Test("an absolute-form target is routed by its path, its authority taking the place of Host")
    func absoluteForm() async throws {
        let seen = Seen()
        try await HTTP1TestConnection.with(router: router(seen)) { connection in
            try await connection.send(
                "GET https://webhook.example:8443/healthz?verbose HTTP/1.1\r\nHost: other\r\n\r\n")
            #expect(try await connection.responses()[0].hasPrefix("HTTP/1.1 200 OK"))
            let request = try #require(seen.requests.withLock { $0.first })
            #expect(request.path == "/healthz")
            #expect(request.query == "verbose")
            #expect(request.headers["host"] == ["webhook.example:8443"])
        }
    }

    @Test("HEAD where GET is routed is answered as GET without the body, on a connection that stays usable")
    func headAsGet() async throws {
        try await HTTP1TestConnection.with(router: router()) { connection in
            try await connection.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try await connection.read(until: { $0.contains("\r\n\r\n") })
            #expect(head.hasPrefix("HTTP/1.1 200 OK"))
            #expect(head.contains("content-length: 3"), "the length GET's body has")
            #expect(head.hasSuffix("\r\n\r\n"), "no body")
            // A streamed GET: no body and no chunk terminator either.
            try await connection.send("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            let streamed = try await connection.read(until: { $0.contains("\r\n\r\n") })
            #expect(streamed.hasPrefix("HTTP/1.1 200 OK"))
            #expect(!streamed.contains("content-length"), "a streamed body's length is not known")
            // The next answer follows at once: nothing stray was left between them.
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let next = try await connection.responses()[0]
            #expect(next.hasPrefix("HTTP/1.1 200 OK"), "\(next)")
            #expect(next.hasSuffix("\r\n\r\nok\n"))
        }
    }
}
