public import HTTP2
public import SwiftProtobuf

/// Calls a `GRPCServer` in memory, without sockets or HTTP/2: the server
/// sees each call through the same `GRPCServerStream` protocol as a call
/// over HTTP/2, so a service's protocol is tested as it is served.
public struct InMemoryGRPCChannel: Sendable {
    public let server: GRPCServer

    public init(server: GRPCServer) {
        self.server = server
    }

    /// Opens a call to `path` (`/<service>/<method>`) with `metadata` as
    /// extra request headers (`grpc-timeout`, for one). The server starts
    /// serving it at once.
    public func call<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ path: String,
        metadata: [HTTP2Header] = [],
        requests: Request.Type = Request.self,
        responses: Response.Type = Response.self
    ) -> GRPCClientCall<Request, Response> {
        let headers =
            [
                HTTP2Header(":method", "POST"), HTTP2Header(":scheme", "http"), HTTP2Header(":path", path),
                HTTP2Header(":authority", "in-memory"), HTTP2Header("content-type", "application/grpc"),
                HTTP2Header("te", "trailers"),
            ] + metadata
        let stream = InMemoryGRPCStream(requestHeaders: headers)
        let server = server
        let served = GRPCOneShot<Void>()
        Task {
            await server.serve(stream)
            served.set(())
        }
        return GRPCClientCall(stream: stream, served: served)
    }
}
