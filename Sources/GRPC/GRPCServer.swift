import HTTP2
public import Logging
import NIOCore

/// Serves gRPC services over any `GRPCServerStream`: path
/// `/<service>/<method>`, `content-type: application/grpc`, `grpc-timeout`
/// as a deadline, status in trailers (or trailers-only when no message was
/// sent). `router` serves it over HTTP/2; `InMemoryGRPCChannel` without sockets.
public final class GRPCServer: Sendable {
    private let methods: [String: GRPCMethod]
    private let logger: Logger
    private let streamingCalls = GRPCStreamingCalls()

    static let responseHeaders = [HTTP2Header(":status", "200"), HTTP2Header("content-type", "application/grpc")]

    public init(services: [any GRPCService], logger: Logger) {
        var methods: [String: GRPCMethod] = [:]
        for service in services {
            for (name, method) in service.methods { methods["/\(service.serviceName)/\(name)"] = method }
        }
        self.methods = methods
        self.logger = logger
    }

    /// Ends every running streaming call with UNAVAILABLE ("server shutting
    /// down") and refuses new ones the same way, so that clients reconnect
    /// elsewhere at once. Unary calls still run to their end. Call it when
    /// the listener starts draining (it sends GOAWAY then).
    public func beginShutdown() {
        streamingCalls.shutDown()
    }

    /// Serves one call, from its headers to its trailers.
    public func serve(_ stream: some GRPCServerStream) async {
        let path = stream.header(":path") ?? ""
        guard stream.header(":method") == "POST",
            stream.header("content-type")?.hasPrefix("application/grpc") == true
        else {
            // Not gRPC at all: answer as HTTP (gRPC over HTTP/2, "Responses").
            try? await stream.finish(trailers: [], trailersOnlyHeaders: [HTTP2Header(":status", "415")])
            return
        }
        let status: GRPCStatus
        if let encoding = stream.header("grpc-encoding"), encoding != "identity" {
            status = GRPCStatus(.unimplemented, "grpc-encoding \(encoding) is not supported")
        } else if let method = methods[path] {
            status = await run(method, on: stream)
        } else {
            status = GRPCStatus(.unimplemented, "unknown method \(path)")
        }
        try? await stream.finish(trailers: status.trailers, trailersOnlyHeaders: Self.responseHeaders)
    }

    /// Runs `method` until it returns, or until the first of: its deadline,
    /// the client's cancel, the server's shutdown (for a streaming call).
    private func run(_ method: GRPCMethod, on stream: some GRPCServerStream) async -> GRPCStatus {
        let ending = GRPCCallEnding()
        stream.onCancel { ending.end(with: GRPCStatus(.cancelled, "the client cancelled the call")) }
        var tracked: Int?
        if method.isStreaming {
            guard let id = streamingCalls.add(ending) else { return GRPCStreamingCalls.shuttingDown }
            tracked = id
            stream.disableReadTimeout()
        }
        defer { if let tracked { streamingCalls.remove(tracked) } }

        let requests = GRPCRequestMessages(body: stream.requestBody)
        let writer = GRPCResponseWriter(stream: stream)
        let timeout = stream.header("grpc-timeout").flatMap(GRPCTimeout.parse)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await method.run(requests, writer) }
                group.addTask { try await ending.wait() }
                if let timeout {
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        throw GRPCStatus(.deadlineExceeded, "deadline of \(timeout) exceeded")
                    }
                }
                defer { group.cancelAll() }
                try await group.next()
            }
            return .ok
        } catch let status as GRPCStatus {
            return status
        } catch is CancellationError {
            return GRPCStatus(.cancelled, "the call was cancelled")
        } catch {
            logger.debug(
                "gRPC method failed", metadata: ["path": "\(stream.header(":path") ?? "")", "error": "\(error)"])
            return GRPCStatus(.unknown, "\(error)")
        }
    }
}
