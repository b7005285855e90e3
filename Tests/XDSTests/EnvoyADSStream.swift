import GRPC
import SwiftProtobuf
import Synchronization
import Testing

/// Envoy's end of one ADS call over the in-memory transport. The requests
/// are built as Envoy builds them (see the SotW and delta extensions);
/// responses are read one at a time, in the order the server wrote them.
final class EnvoyADSStream<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>: Sendable {
    let call: GRPCClientCall<Request, Response>
    private let inbox = Inbox()
    private let reader: Task<Void, Never>
    /// What Envoy remembers per type URL: the names it asked for, the
    /// version it accepted last, and whether it has named its node yet.
    let memory = Mutex(Memory())

    struct Memory {
        var nodeSent = false
        var names: [String: [String]] = [:]
        var accepted: [String: String] = [:]
    }

    init(_ call: GRPCClientCall<Request, Response>) {
        self.call = call
        let inbox = inbox
        reader = Task {
            do {
                for try await response in call.responses { inbox.append(response) }
            } catch {
                inbox.fail(error)
            }
            inbox.end()
        }
    }

    /// Ends the call as Envoy's stream reset would.
    func close() {
        call.cancel()
        reader.cancel()
    }

    func send(_ request: Request) throws {
        try call.send(request)
    }

    /// The node goes on the first request only, as Envoy sends it.
    func takeFirstRequest() -> Bool {
        memory.withLock { memory in
            defer { memory.nodeSent = true }
            return !memory.nodeSent
        }
    }

    /// The next response; fails the test if none comes within 30 s (the
    /// machine is shared: the bound is generous, the loop is short).
    func next(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Response {
        for _ in 0..<3000 {
            switch inbox.take() {
            case .message(let response): return response
            case .ended(let error):
                throw EnvoyStreamEnded(error: error.map { "\($0)" } ?? "the call ended")
            case .empty: try await Task.sleep(for: .milliseconds(10))
            }
        }
        Issue.record("no response within 30 s", sourceLocation: sourceLocation)
        throw EnvoyStreamEnded(error: "timed out")
    }

    struct EnvoyStreamEnded: Error {
        var error: String
    }

    /// Responses received and not read yet, shared with the reading task.
    final class Inbox: Sendable {
        enum Item {
            case message(Response)
            case ended((any Error)?)
            case empty
        }

        private struct State {
            var queue: [Response] = []
            var ended = false
            var error: (any Error)?
        }

        private let state = Mutex(State())

        func append(_ response: Response) { state.withLock { $0.queue.append(response) } }
        func fail(_ error: any Error) { state.withLock { $0.error = error } }
        func end() { state.withLock { $0.ended = true } }

        func take() -> Item {
            state.withLock { state in
                if !state.queue.isEmpty { return .message(state.queue.removeFirst()) }
                return state.ended ? .ended(state.error) : .empty
            }
        }
    }
}
