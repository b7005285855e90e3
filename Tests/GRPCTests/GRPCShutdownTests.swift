import GRPC
import Logging
import SwiftProtobuf
import Testing

/// `beginShutdown()` ends streaming calls at once, as the listener's drain
/// calls it: a client held on a stream that never ends would otherwise
/// wait out the whole grace period before moving to another replica.
@Suite("gRPC server shutdown ends streaming calls", .timeLimit(.minutes(1)))
struct GRPCShutdownTests {
    typealias Text = Google_Protobuf_StringValue
    let service = EchoService()
    let server: GRPCServer
    let channel: InMemoryGRPCChannel

    init() {
        server = GRPCServer(services: [service], logger: Logger(label: "test"))
        channel = InMemoryGRPCChannel(server: server)
    }

    @Test("a bidirectional call that would run forever ends with UNAVAILABLE, server shutting down")
    func endsHeldCall() async throws {
        let call = channel.call("/test.Echo/Hold", requests: Text.self, responses: Text.self)
        var responses = call.responses.makeAsyncIterator()
        #expect(try await responses.next()?.value == "holding")
        server.beginShutdown()
        // Far less than any grace period; without the shutdown the call holds for an hour.
        let result = try await within(.seconds(5)) { try await call.result() }
        #expect(result.status == GRPCStatus(.unavailable, "server shutting down"))
        try await service.events.wait(for: "ended")
    }

    @Test("once shutdown began, a new streaming call is refused with UNAVAILABLE; a unary one is still served")
    func refusesNewStreams() async throws {
        server.beginShutdown()
        let held = channel.call("/test.Echo/Hold", requests: Text.self, responses: Text.self)
        #expect(try await within(.seconds(5)) { try await held.result() }.status.code == .unavailable)

        let unary = channel.call("/test.Echo/Unary", requests: Text.self, responses: Text.self)
        try unary.send(.with { $0.value = "still here" })
        unary.finishSending()
        #expect(try await unary.result().status == .ok)
    }
}
