import HTTP2
public import Logging
import NIOCore

/// Serves gRPC services over HTTP/2 streams: path `/<service>/<method>`,
/// `content-type: application/grpc`, `grpc-timeout` as a deadline, status
/// in trailers (or trailers-only when no message was sent).
public final class GRPCServer: Sendable {
    private let methods: [String: GRPCMethod]
    private let logger: Logger

    static let responseHeaders = [HTTP2Header(":status", "200"), HTTP2Header("content-type", "application/grpc")]

    public init(services: [any GRPCService], logger: Logger) {
        var methods: [String: GRPCMethod] = [:]
        for service in services {
            for (name, method) in service.methods { methods["/\(service.serviceName)/\(name)"] = method }
        }
        self.methods = methods
        self.logger = logger
    }

    /// A router that sends every HTTP/2 stream here, for a gRPC-only listener.
    public var router: Router {
        var router = Router()
        router.addStream(prefix: "/") { stream in await self.serve(stream) }
        return router
    }

    func serve(_ stream: HTTP2Stream) async {
        let path = stream.header(":path") ?? ""
        guard stream.header(":method") == "POST",
            stream.header("content-type")?.hasPrefix("application/grpc") == true
        else {
            // Not gRPC at all: answer as HTTP (gRPC over HTTP/2, "Responses").
            try? await stream.respond(headers: [HTTP2Header(":status", "415")], endStream: true)
            return
        }
        let writer = GRPCResponseWriter(stream: stream)
        let status: GRPCStatus
        if let encoding = stream.header("grpc-encoding"), encoding != "identity" {
            status = GRPCStatus(.unimplemented, "grpc-encoding \(encoding) is not supported")
        } else if let method = methods[path] {
            status = await run(method, stream: stream, writer: writer)
        } else {
            status = GRPCStatus(.unimplemented, "unknown method \(path)")
        }
        await finish(stream, status: status)
    }

    private func run(_ method: GRPCMethod, stream: HTTP2Stream, writer: GRPCResponseWriter) async -> GRPCStatus {
        let requests = GRPCRequestMessages(body: stream.body)
        let timeout = stream.header("grpc-timeout").flatMap(GRPCTimeout.parse)
        do {
            if let timeout {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await method.run(requests, writer) }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        throw GRPCStatus(.deadlineExceeded, "deadline of \(timeout) exceeded")
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            } else {
                try await method.run(requests, writer)
            }
            return .ok
        } catch let status as GRPCStatus {
            return status
        } catch is CancellationError {
            return GRPCStatus(.cancelled, "the call was cancelled")
        } catch let reset as HTTP2StreamReset {
            return GRPCStatus(.cancelled, reset.description)
        } catch {
            logger.debug(
                "gRPC method failed", metadata: ["path": "\(stream.header(":path") ?? "")", "error": "\(error)"])
            return GRPCStatus(.unknown, "\(error)")
        }
    }

    private func finish(_ stream: HTTP2Stream, status: GRPCStatus) async {
        var trailers = [HTTP2Header("grpc-status", "\(status.code.rawValue)")]
        if !status.message.isEmpty { trailers.append(HTTP2Header("grpc-message", status.encodedMessage)) }
        if status.code == .unimplemented { trailers.append(HTTP2Header("grpc-accept-encoding", "identity")) }
        if (try? await stream.hasResponded()) == true {
            try? await stream.write(ByteBuffer(), end: true, trailers: trailers)
        } else {
            // Trailers-only: one HEADERS frame that ends the stream.
            try? await stream.respond(headers: Self.responseHeaders + trailers, endStream: true)
        }
    }
}
