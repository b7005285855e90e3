public import HTTP2
public import Logging
import NIOCore
public import NIOHTTP1

/// An asynchronous request handler.
public typealias HTTPHandler = @Sendable (HTTPRequest) async throws -> HTTPResponse

/// A handler that answers without waiting for anything (no I/O, no locks
/// held long): HTTP/1.1 runs it on the connection's event loop as the
/// request completes, with no task per request.
public typealias SyncHTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse

/// A handler of whole HTTP/2 streams: the request body as it arrives and a
/// response written in pieces with trailers, as gRPC needs.
public typealias HTTPStreamHandler = @Sendable (HTTP2Stream) async throws -> Void

/// Routes requests by exact path, then method.
///
/// Protocol-neutral: HTTP/1.1 connections use it today and HTTP/2 streams
/// use the same table, so a handler never knows which carried its request.
public struct Router: Sendable {
    private var routes: [String: [String: HTTPHandler]] = [:]
    /// The routes added with `addSync`, also in `routes` for the paths that need a task (HTTP/2).
    private var syncRoutes: [String: [String: SyncHTTPHandler]] = [:]
    private var streamRoutes: [(prefix: String, handler: HTTPStreamHandler)] = []
    private var prefixRoutes: [(prefix: String, handler: HTTPHandler)] = []

    public init() {}

    /// Routes every request whose path starts with `prefix` and that no
    /// exact route takes, whatever its method, to `handler` (an API server's
    /// `/api/…` and `/apis/…`).
    public mutating func addPrefix(_ prefix: String, _ handler: @escaping HTTPHandler) {
        prefixRoutes.append((prefix, handler))
    }

    /// Routes every HTTP/2 stream whose path starts with `prefix` to
    /// `handler` (gRPC services: `/grpc.health.v1.Health/`).
    public mutating func addStream(prefix: String, _ handler: @escaping HTTPStreamHandler) {
        streamRoutes.append((prefix, handler))
    }

    /// The stream handler for `path`, if one was added.
    public func streamHandler(for path: String) -> HTTPStreamHandler? {
        streamRoutes.first { path.hasPrefix($0.prefix) }?.handler
    }

    public mutating func add(_ method: HTTPMethod, _ path: String, _ handler: @escaping HTTPHandler) {
        routes[path, default: [:]][method.rawValue] = handler
        syncRoutes[path]?[method.rawValue] = nil
    }

    /// Routes `method` on `path` to a handler that never waits.
    public mutating func addSync(_ method: HTTPMethod, _ path: String, _ handler: @escaping SyncHTTPHandler) {
        routes[path, default: [:]][method.rawValue] = { request in handler(request) }
        syncRoutes[path, default: [:]][method.rawValue] = handler
    }

    /// The answer of a route added with `addSync`, computed now; nil when the
    /// request's route is another kind (or a HEAD answered from a GET, an
    /// unknown path or method), which `respond` answers.
    public func synchronousAnswer(to request: HTTPRequest) -> HTTPResponse? {
        syncRoutes[request.path]?[request.method.rawValue].map { $0(request) }
    }

    /// Adds every route of `other`; later additions win.
    public mutating func merge(_ other: Router) {
        for (path, byMethod) in other.routes {
            for (method, handler) in byMethod {
                routes[path, default: [:]][method] = handler
                syncRoutes[path, default: [:]][method] = other.syncRoutes[path]?[method]
            }
        }
        streamRoutes.append(contentsOf: other.streamRoutes)
        prefixRoutes.append(contentsOf: other.prefixRoutes)
    }

    /// The route's path if one matches, for metric labels that must not grow
    /// with whatever paths clients make up.
    public func routeLabel(for path: String) -> String {
        if routes[path] != nil { return path }
        return streamRoutes.first { path.hasPrefix($0.prefix) }?.prefix
            ?? prefixRoutes.first { path.hasPrefix($0.prefix) }?.prefix ?? "unmatched"
    }

    /// Answers a request: 404 for an unknown path, 405 with `allow` for a known
    /// path and another method, 500 when the handler throws. `HEAD` on a path
    /// routed for `GET` only is answered as `GET` without the body (RFC 9110
    /// §9.3.2), with the `content-length` the body would have had.
    public func respond(to request: HTTPRequest, logger: Logger) async -> HTTPResponse {
        guard let byMethod = routes[request.path] else {
            if let prefixed = prefixRoutes.first(where: { request.path.hasPrefix($0.prefix) }) {
                return await run(prefixed.handler, request, logger: logger)
            }
            return .text(.notFound, "404 page not found")
        }
        if request.method == .HEAD, byMethod[HTTPMethod.HEAD.rawValue] == nil,
            let get = byMethod[HTTPMethod.GET.rawValue]
        {
            return Self.headAnswer(from: await run(get, request, logger: logger))
        }
        guard let handler = byMethod[request.method.rawValue] else {
            var response = HTTPResponse.text(.methodNotAllowed, "405 method not allowed")
            response.headers.add(name: "allow", value: byMethod.keys.sorted().joined(separator: ", "))
            return response
        }
        return await run(handler, request, logger: logger)
    }

    private func run(_ handler: HTTPHandler, _ request: HTTPRequest, logger: Logger) async -> HTTPResponse {
        do {
            return try await handler(request)
        } catch {
            // The error's text can name files, hosts or objects the client has
            // no business seeing: it goes to the log, the client gets a generic answer.
            logger.error(
                "handler failed",
                metadata: ["path": "\(request.path)", "method": "\(request.method)", "error": "\(error)"])
            return .text(.internalServerError, "internal error")
        }
    }

    /// A `GET` response turned into the answer to a `HEAD`: same status and
    /// headers, no body. A whole body's length stays in `content-length`; a
    /// streamed one is not produced at all.
    static func headAnswer(from get: HTTPResponse) -> HTTPResponse {
        var response = HTTPResponse(status: get.status, headers: get.headers)
        if get.producer == nil {
            response.headers.replaceOrAdd(name: "content-length", value: "\(get.body.readableBytes)")
        }
        return response
    }
}
