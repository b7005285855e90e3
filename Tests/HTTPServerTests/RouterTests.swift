import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import HTTPServer

@Suite("Router")
struct RouterTests {
    struct Boom: Error {}

    let logger = Logger(label: "test")

    func router() -> Router {
        var router = Router()
        router.add(.GET, "/healthz") { _ in .text(.ok, "ok") }
        router.add(.POST, "/echo") { request in HTTPResponse(status: .ok, body: request.body) }
        router.add(.GET, "/boom") { _ in throw Boom() }
        return router
    }

    @Test("a route that never waits is answered now, and through respond as any other")
    func synchronousRoutes() async {
        var router = Router()
        router.addSync(.POST, "/validate") { request in HTTPResponse(status: .ok, body: request.body) }
        router.add(.GET, "/slow") { _ in .text(.ok, "slow") }
        let review = HTTPRequest(method: .POST, uri: "/validate?timeout=10s", body: ByteBuffer(string: "{}"))
        #expect(router.synchronousAnswer(to: review).map { String(buffer: $0.body) } == "{}")
        #expect(String(buffer: await router.respond(to: review, logger: logger).body) == "{}")
        // Another kind of route, another method, HEAD from GET, an unknown path: not answered now.
        #expect(router.synchronousAnswer(to: HTTPRequest(method: .GET, uri: "/slow")) == nil)
        #expect(router.synchronousAnswer(to: HTTPRequest(method: .GET, uri: "/validate")) == nil)
        #expect(router.synchronousAnswer(to: HTTPRequest(method: .HEAD, uri: "/validate")) == nil)
        #expect(router.synchronousAnswer(to: HTTPRequest(method: .GET, uri: "/nowhere")) == nil)

        var merged = Router()
        merged.merge(router)
        #expect(merged.synchronousAnswer(to: review) != nil)
        // A later route for the same path and method wins, whatever its kind.
        merged.add(.POST, "/validate") { _ in .text(.ok, "async") }
        #expect(merged.synchronousAnswer(to: review) == nil)
        #expect(String(buffer: await merged.respond(to: review, logger: logger).body) == "async\n")
    }

    @Test("routes by exact path and method")
    func routes() async {
        let response = await router().respond(to: HTTPRequest(method: .GET, uri: "/healthz?verbose"), logger: logger)
        #expect(response.status == .ok)
        #expect(String(buffer: response.body) == "ok\n")
        let echoed = await router().respond(
            to: HTTPRequest(method: .POST, uri: "/echo", body: ByteBuffer(string: "{}")), logger: logger)
        #expect(String(buffer: echoed.body) == "{}")
    }

    @Test("an unknown path is 404, a known path with another method 405 listing the allowed ones")
    func notFoundAndMethodNotAllowed() async {
        #expect(await router().respond(to: HTTPRequest(method: .GET, uri: "/nope"), logger: logger).status == .notFound)
        let response = await router().respond(to: HTTPRequest(method: .DELETE, uri: "/healthz"), logger: logger)
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["allow"] == ["GET"])
    }

    @Test("a handler that throws yields 500 with a generic message; the error goes to the log only")
    func throwingHandler() async {
        let log = CapturedLog()
        let response = await router().respond(
            to: HTTPRequest(method: .GET, uri: "/boom"), logger: Logger(label: "test") { _ in log })
        #expect(response.status == .internalServerError)
        #expect(String(buffer: response.body) == "internal error\n")
        #expect(log.entries.contains { $0.contains("handler failed") && $0.contains("Boom") })
    }

    @Test("HEAD where only GET is routed runs the GET handler and answers without the body, with its length")
    func headAsGet() async {
        let response = await router().respond(to: HTTPRequest(method: .HEAD, uri: "/healthz"), logger: logger)
        #expect(response.status == .ok)
        #expect(response.body.readableBytes == 0)
        #expect(response.headers["content-length"] == ["3"])
        let post = await router().respond(to: HTTPRequest(method: .HEAD, uri: "/echo"), logger: logger)
        #expect(post.status == .methodNotAllowed, "HEAD stands in for GET only")
    }

    @Test("metric labels name routes, never what clients make up")
    func routeLabels() {
        #expect(router().routeLabel(for: "/healthz") == "/healthz")
        #expect(router().routeLabel(for: "/random/\(Int.random(in: 0...1000))") == "unmatched")
    }

    @Test("the query is split from the path, and flags without values are found")
    func query() {
        let request = HTTPRequest(method: .GET, uri: "/readyz?verbose&exclude=x")
        #expect(request.path == "/readyz")
        #expect(request.queryContains("verbose"))
        #expect(request.queryContains("exclude"))
        #expect(!request.queryContains("verb"))
    }
}

@Suite("Bind addresses as controller-runtime writes them")
struct BindAddressTests {
    @Test("host:port, :port, [v6]:port and 0 (disabled)")
    func parse() throws {
        #expect(try BindAddress(flag: ":8081") == BindAddress(host: "0.0.0.0", port: 8081))
        #expect(try BindAddress(flag: "127.0.0.1:0") == BindAddress(host: "127.0.0.1", port: 0))
        #expect(try BindAddress(flag: "[::1]:8080") == BindAddress(host: "::1", port: 8080))
        #expect(try BindAddress(flag: "0") == nil)
        #expect(throws: BindAddressError.self) { try BindAddress(flag: "8080") }
        #expect(throws: BindAddressError.self) { try BindAddress(flag: "host:99999") }
    }
}

@Suite("Readiness checks")
struct HealthCheckTests {
    @Test("/readyz passes when every check passes, and lists them with ?verbose")
    func readiness() async {
        let health = HealthChecks()
        health.addReadinessCheck("certificates") { .passed }
        let quiet = await health.readiness(verbose: false)
        #expect(quiet.status == .ok && String(buffer: quiet.body) == "ok\n")
        let verbose = await health.readiness(verbose: true)
        #expect(String(buffer: verbose.body) == "[+]certificates ok\nreadyz check passed\n")

        health.addReadinessCheck("informers") { .failed("not synced") }
        let failing = await health.readiness(verbose: false)
        #expect(failing.status == .internalServerError)
        #expect(
            String(buffer: failing.body) == "[+]certificates ok\n[-]informers failed: not synced\nreadyz check failed\n"
        )
    }

    @Test("once shutdown begins, /readyz fails although every check passes, and says why")
    func failsFromShutdown() async {
        let health = HealthChecks()
        health.addReadinessCheck("certificates") { .passed }
        #expect(await health.isReady())
        health.beginShutdown()
        #expect(!(await health.isReady()))
        let response = await health.readiness(verbose: false)
        #expect(response.status == .internalServerError)
        #expect(String(buffer: response.body).hasPrefix("[-]shutdown failed: the process is shutting down\n"))
    }
}
