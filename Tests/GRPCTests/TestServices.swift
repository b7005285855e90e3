import GRPC
import SwiftProtobuf

/// What a test service's methods did, in order, for tests to wait on.
final class MethodEvents: Sendable {
    let events: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init() {
        (events, continuation) = AsyncStream.makeStream(of: String.self)
    }

    func record(_ event: String) {
        continuation.yield(event)
    }

    /// Waits for `event`, failing after `limit`.
    func wait(for event: String, within limit: Duration = .seconds(10)) async throws {
        let events = events
        try await within(limit) {
            for await seen in events where seen == event { return }
        }
    }
}

/// `test.Echo`: `Chat` echoes each request until the client half-closes;
/// `Hold` answers once, then runs until something outside ends it, as an
/// ADS stream does; `Unary` echoes one request.
struct EchoService: GRPCService {
    typealias Text = Google_Protobuf_StringValue
    let serviceName = "test.Echo"
    let events = MethodEvents()

    var methods: [String: GRPCMethod] {
        [
            "Chat": .bidirectional { (requests: GRPCMessageStream<Text>, writer: GRPCStreamWriter<Text>) in
                for try await request in requests { try await writer.send(request) }
            },
            "Hold": .bidirectional { [events] (_: GRPCMessageStream<Text>, writer: GRPCStreamWriter<Text>) in
                events.record("started")
                defer { events.record("ended") }
                try await writer.send(.with { $0.value = "holding" })
                try await Task.sleep(for: .seconds(3600))
            },
            "Unary": .unary { (request: Text) in request },
        ]
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var limit: Duration
    var description: String { "not done within \(limit)" }
}

/// `body`'s result, or TimedOut after `limit`: a test waits, but never forever.
func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() ?? nil else { throw TimedOut(limit: limit) }
        return result
    }
}
