import Foundation
import GRPC
import HTTPServer
import Logging
import ServiceLifecycle
import SwiftProtobuf
import Synchronization
import TestSupport
import Testing

/// Graceful shutdown of a gRPC listener, over a real socket against nghttp:
/// a bidirectional call that never ends by itself is ended at once with
/// UNAVAILABLE and the connection gets GOAWAY, long before the grace period.
@Suite("gRPC listener shutdown, against nghttp", .timeLimit(.minutes(2)))
struct GRPCShutdownTests {
    typealias Text = Google_Protobuf_StringValue

    /// `test.Hold/Stream`: answers once, then holds the call open, as an
    /// ADS stream does; reports when it has answered.
    struct Hold: GRPCService {
        let serviceName = "test.Hold"
        let answered: AsyncStream<Void>.Continuation
        var methods: [String: GRPCMethod] {
            [
                "Stream": .bidirectional { [answered] (_: GRPCMessageStream<Text>, writer: GRPCStreamWriter<Text>) in
                    try await writer.send(.with { $0.value = "holding" })
                    answered.yield()
                    try await Task.sleep(for: .seconds(3600))
                }
            ]
        }
    }

    @Test("graceful shutdown sends GOAWAY and ends a held call with UNAVAILABLE at once, within a 30 s grace period")
    func shutdownEndsHeldCall() async throws {
        let (answers, answered) = AsyncStream.makeStream(of: Void.self)
        let logger = Logger(label: "test")
        let grpc = GRPCServer(services: [Hold(answered: answered)], logger: logger)
        let listening = Listening()
        let server = HTTPServer(
            configuration: ServerConfiguration(
                name: "grpc", address: BindAddress(host: "127.0.0.1", port: 0), protocols: .http2,
                shutdownGracePeriod: .seconds(30)),
            router: grpc.router, logger: logger, onListening: listening.report, onDrain: { grpc.beginShutdown() })
        let services = ServiceGroup(services: [server], logger: logger)
        let running = Task { try await services.run() }
        defer { running.cancel() }
        let port = try await listening.port()

        // One request message, then the request half-closes; the call stays open.
        let request = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: request) }
        let message: [UInt8] = try Text.with { $0.value = "hello" }.serializedBytes()
        try Data([0] + withUnsafeBytes(of: UInt32(message.count).bigEndian, Array.init) + message).write(to: request)
        let client = try ChildProcess(
            tool("nghttp"),
            [
                "-v", "-d", request.path, "-H", "content-type: application/grpc", "-H", "te: trailers",
                "http://127.0.0.1:\(port)/test.Hold/Stream",
            ])
        defer { client.stop() }
        for await _ in answers { break }

        let started = ContinuousClock.now
        await services.triggerGracefulShutdown()
        // The connection closes once the call has ended: nghttp exits then.
        _ = try await client.waitForExit(timeout: .seconds(20))
        try await running.value
        let elapsed = ContinuousClock.now - started
        try await Task.sleep(for: .milliseconds(50))  // the last output lines
        let output = client.stdout
        #expect(output.contains { $0.contains("recv GOAWAY frame") }, "\(output.suffix(20))")
        #expect(output.contains { $0.hasSuffix("grpc-status: 14") }, "\(output.suffix(20))")
        #expect(output.contains { $0.hasSuffix("grpc-message: server shutting down") }, "\(output.suffix(20))")
        #expect(elapsed < .seconds(10), "ended in \(elapsed), not held for the 30 s grace period")
    }
}
