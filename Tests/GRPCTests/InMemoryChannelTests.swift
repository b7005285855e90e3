import GRPC
import HTTP2
import Logging
import SwiftProtobuf
import Testing

/// The in-memory transport: a client's calls reach the server through the
/// same stream protocol as over HTTP/2.
@Suite("gRPC in memory: calls, half-close, cancel", .timeLimit(.minutes(1)))
struct InMemoryChannelTests {
    typealias Text = Google_Protobuf_StringValue
    let service = EchoService()
    var channel: InMemoryGRPCChannel {
        InMemoryGRPCChannel(server: GRPCServer(services: [service], logger: Logger(label: "test")))
    }

    @Test("a bidirectional call answers each message in order, and ends OK when the client half-closes")
    func chat() async throws {
        let call = channel.call("/test.Echo/Chat", requests: Text.self, responses: Text.self)
        var responses = call.responses.makeAsyncIterator()
        for word in ["one", "two", "three"] {
            try call.send(.with { $0.value = word })
            #expect(try await responses.next()?.value == word)
        }
        call.finishSending()
        #expect(try await responses.next() == nil)
        let result = try await call.result()
        #expect(result.status == .ok)
        #expect(result.trailers.contains { $0.name == "grpc-status" && $0.value == "0" })
        #expect(throws: GRPCStatus.self) { try call.send(.with { $0.value = "late" }) }
    }

    @Test("a unary call: one request, one response, OK")
    func unary() async throws {
        let call = channel.call("/test.Echo/Unary", requests: Text.self, responses: Text.self)
        try call.send(.with { $0.value = "ping" })
        call.finishSending()
        let answers = try await call.responses.reduce(into: [String]()) { $0.append($1.value) }
        #expect(answers == ["ping"])
        #expect(try await call.result().status == .ok)
    }

    @Test("a client's cancel ends the server's method, and the call ends CANCELLED")
    func cancel() async throws {
        let call = channel.call("/test.Echo/Hold", requests: Text.self, responses: Text.self)
        var responses = call.responses.makeAsyncIterator()
        #expect(try await responses.next()?.value == "holding")
        call.cancel()
        try await service.events.wait(for: "ended")
        try await within(.seconds(10)) { try await call.serverFinished() }
        #expect(try await call.result().status.code == .cancelled)
    }

    @Test("an unknown method is UNIMPLEMENTED, in a trailers-only response")
    func unknownMethod() async throws {
        let call = channel.call("/test.Echo/Nothing", requests: Text.self, responses: Text.self)
        call.finishSending()
        let result = try await call.result()
        #expect(result.status.code == .unimplemented)
        #expect(result.trailers.first { $0.name == ":status" }?.value == "200", "headers and trailers in one block")
    }
}
