import GRPC
import HTTP2
import Logging
import SwiftProtobuf
import Testing

/// `grpc.health.v1.Health` through the in-memory transport.
@Suite("gRPC health service", .timeLimit(.minutes(1)))
struct HealthServiceTests {
    typealias Request = Grpc_Health_V1_HealthCheckRequest
    typealias Response = Grpc_Health_V1_HealthCheckResponse
    let registry = HealthStatusRegistry()
    var channel: InMemoryGRPCChannel {
        InMemoryGRPCChannel(
            server: GRPCServer(services: [HealthService(registry: registry)], logger: Logger(label: "test")))
    }

    func call(_ method: String, _ service: String, timeout: String? = nil) throws -> GRPCClientCall<Request, Response> {
        let call = channel.call(
            "/grpc.health.v1.Health/\(method)", metadata: timeout.map { [.init("grpc-timeout", $0)] } ?? [],
            requests: Request.self, responses: Response.self)
        try call.send(.with { $0.service = service })
        call.finishSending()
        return call
    }

    @Test("Check answers the status set, and NOT_FOUND for a service never set")
    func check() async throws {
        registry.set("", .serving)
        let known = try call("Check", "")
        #expect(try await known.responses.reduce(into: []) { $0.append($1.status) } == [.serving])
        #expect(try await known.result().status == .ok)

        let unknown = try call("Check", "no.such.Service")
        let result = try await unknown.result()
        #expect(result.status.code == .notFound)
        #expect(result.status.message == "unknown service no.such.Service")
    }

    @Test("Watch sends the status now, then each change as it happens")
    func watch() async throws {
        registry.set("svc", .serving)
        let watch = try call("Watch", "svc")
        var responses = watch.responses.makeAsyncIterator()
        #expect(try await responses.next()?.status == .serving)
        registry.set("svc", .notServing)
        #expect(try await responses.next()?.status == .notServing)
        registry.set("svc", .serving)
        #expect(try await responses.next()?.status == .serving)
        watch.cancel()
    }

    @Test("Watch of a service never set says SERVICE_UNKNOWN, then its first status")
    func watchUnknown() async throws {
        let watch = try call("Watch", "later")
        var responses = watch.responses.makeAsyncIterator()
        #expect(try await responses.next()?.status == .serviceUnknown)
        registry.set("later", .serving)
        #expect(try await responses.next()?.status == .serving)
        watch.cancel()
    }

    @Test("the registry's shutdown ends a Watch: NOT_SERVING, then OK")
    func watchEndsAtShutdown() async throws {
        registry.set("", .serving)
        let watch = try call("Watch", "")
        var responses = watch.responses.makeAsyncIterator()
        #expect(try await responses.next()?.status == .serving)
        registry.shutDown()
        #expect(try await responses.next()?.status == .notServing)
        #expect(try await responses.next() == nil)
        #expect(try await watch.result().status == .ok)
    }

    @Test("grpc-timeout ends a Watch with DEADLINE_EXCEEDED")
    func deadline() async throws {
        registry.set("", .serving)
        let watch = try call("Watch", "", timeout: "200m")
        var responses = watch.responses.makeAsyncIterator()
        #expect(try await responses.next()?.status == .serving)
        let result = try await within(.seconds(10)) { try await watch.result() }
        #expect(result.status.code == .deadlineExceeded)
    }

    @Test("a client's cancel ends the server's Watch")
    func cancelEndsWatch() async throws {
        registry.set("", .serving)
        let watch = try call("Watch", "")
        var responses = watch.responses.makeAsyncIterator()
        #expect(try await responses.next()?.status == .serving)
        watch.cancel()
        try await within(.seconds(10)) { try await watch.serverFinished() }
    }

    @Test("an unknown method of the service is UNIMPLEMENTED")
    func unknownMethod() async throws {
        let call = try call("Probe", "")
        #expect(try await call.result().status.code == .unimplemented)
    }
}
