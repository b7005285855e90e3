import HTTP2
public import NIOCore
public import NIOHTTP1
public import NIOPosix
import Synchronization
public import TLS

/// A request to send: method, URL parts, headers, body.
public struct ClientRequest: Sendable {
    public var method: HTTPMethod
    /// `https` or `http`.
    public var scheme: String
    public var host: String
    public var port: Int
    /// Path and query, such as `/mutate?timeout=10s`.
    public var target: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(method: HTTPMethod, url: String, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer())
        throws(HTTPClientError)
    {
        guard let parsed = ParsedURL(url) else { throw HTTPClientError.invalidURL(url) }
        self.method = method
        scheme = parsed.scheme
        host = parsed.host
        port = parsed.port
        target = parsed.target
        self.headers = headers
        self.body = body
    }

    /// Safe to send twice (Go's rule): GET, HEAD, OPTIONS.
    var isReplayable: Bool { method == .GET || method == .HEAD || method == .OPTIONS }

    /// `host`, with the port when it is not the scheme's default.
    var hostHeader: String {
        let defaultPort = scheme == "https" ? 443 : 80
        let name = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? name : "\(name):\(port)"
    }
}

/// A whole response.
public struct ClientResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    public var version: HTTPVersion = .http1_1

    /// Whether the server lets the connection carry another request: an
    /// HTTP/1.1 response unless it says `connection: close`, an HTTP/1.0 one
    /// only if it says `connection: keep-alive` (RFC 9112 §9.3).
    public var keepsConnectionOpen: Bool {
        HTTPResponseHead(version: version, status: status, headers: headers).isKeepAlive
    }
}

public enum HTTPClientError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case timedOut
    case connectionClosed
    case connectFailed(String)
    case bodyTooLarge(Int)

    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid URL \(url)"
        case .timedOut: "the request timed out"
        case .connectionClosed: "the connection closed before a response"
        case .connectFailed(let why): "cannot connect: \(why)"
        case .bodyTooLarge(let limit): "the response body is larger than \(limit) bytes"
        }
    }
}

/// A small HTTP client with keep-alive connections, over the project's
/// OpenSSL client mode, using the URL's host as the TLS server name to
/// verify.
///
/// The TLS context says which protocols to offer. One that offers only
/// `http/1.1` (the default) gets a pool of HTTP/1.1 connections. One that
/// offers `h2` as well, as kube-apiserver does to webhooks on loopback,
/// gets ONE connection per host carrying every request as a stream when
/// the server picks `h2`, and the HTTP/1.1 pool when it does not.
public final class HTTPClient: Sendable {
    let group: any EventLoopGroup
    private let idle = Mutex<[PoolKey: [ClientConnection]]>([:])
    let multiplexed = Mutex<[PoolKey: MultiplexedSlot]>([:])

    struct PoolKey: Hashable {
        var scheme: String
        var host: String
        var port: Int
        var tls: ObjectIdentifier?
    }

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
    }

    /// Sends `request` and returns the response, or throws by `deadline`.
    /// `tls` is required for `https`: its trust roots verify the server.
    public func execute(
        _ request: ClientRequest,
        tls: TLSContext?,
        timeout: Duration
    ) async throws -> ClientResponse {
        let key = PoolKey(
            scheme: request.scheme, host: request.host, port: request.port, tls: tls.map(ObjectIdentifier.init))
        return try await withThrowingTaskGroup(of: ClientResponse.self) { group in
            group.addTask {
                try await self.send(request, key: key, tls: tls)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw HTTPClientError.timedOut
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// Sends `request` on the host's HTTP/2 connection if there is one, else
    /// on a pooled HTTP/1.1 connection, else or again on a fresh connection.
    ///
    /// As Go's transport does: a request a reused connection never carried
    /// (it was closed or going away before a byte was written) goes out
    /// again whatever its method; one that was written before the connection
    /// closed unanswered goes out again only if it is safe to repeat, since
    /// the server may have acted on it.
    func send(_ request: ClientRequest, key: PoolKey, tls: TLSContext?) async throws -> ClientResponse {
        if let shared = usableMultiplexed(for: key) {
            do {
                return try await shared.send(request)
            } catch let error as HTTP2ClientError where error.problem == .notSent && !Task.isCancelled {
            }
        }
        return try await send(request, reusing: pooledConnection(for: key), key: key, tls: tls)
    }

    /// Sends `request` on `pooled` if given, else or again on a fresh connection.
    func send(_ request: ClientRequest, reusing pooled: ClientConnection?, key: PoolKey, tls: TLSContext?)
        async throws -> ClientResponse
    {
        if let pooled {
            do {
                return try await send(request, on: pooled, key: key)
            } catch is ClientConnection.RequestNotSent where !Task.isCancelled {
            } catch HTTPClientError.connectionClosed where request.isReplayable && !Task.isCancelled {
            }
        }
        // A new HTTP/2 connection can be told GOAWAY before its first stream
        // (an idle timeout, a server draining): the request never left, so
        // it tries another new one, a few times at most.
        var attempts = 0
        while true {
            attempts += 1
            switch try await connect(request, key: key, tls: tls) {
            case .http1(let fresh):
                do {
                    return try await send(request, on: fresh, key: key)
                } catch is ClientConnection.RequestNotSent {
                    throw HTTPClientError.connectionClosed
                }
            case .http2(let shared):
                do {
                    return try await shared.send(request)
                } catch let error as HTTP2ClientError where error.problem == .notSent {
                    guard attempts < 3, !Task.isCancelled else { throw HTTPClientError.connectionClosed }
                }
            }
        }
    }

    private func send(_ request: ClientRequest, on connection: ClientConnection, key: PoolKey) async throws
        -> ClientResponse
    {
        // A future does not hear cancellation: closing the connection fails it at once.
        let response = try await withTaskCancellationHandler {
            try await connection.send(request).get()
        } onCancel: {
            connection.close()
        }
        if connection.isReusable(after: response) {
            release(connection, key: key)
        } else {
            connection.close()
        }
        return response
    }

    private func pooledConnection(for key: PoolKey) -> ClientConnection? {
        while let pooled = idle.withLock({ $0[key]?.popLast() }) {
            if pooled.isActive { return pooled }
        }
        return nil
    }

    private func release(_ connection: ClientConnection, key: PoolKey) {
        idle.withLock { $0[key, default: []].append(connection) }
    }

    /// How many connections wait in the pool.
    var idleConnections: Int { idle.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// Closes every idle connection.
    public func shutdown() {
        let all = idle.withLock { pool in
            defer { pool = [:] }
            return pool.values.flatMap { $0 }
        }
        for connection in all { connection.close() }
        let shared = multiplexed.withLock { slots in
            defer { slots = [:] }
            return slots.values.compactMap { slot -> MultiplexedConnection? in
                if case .ready(let connection) = slot { connection } else { nil }
            }
        }
        for connection in shared { connection.close() }
    }
}

/// scheme://host[:port]/target
struct ParsedURL {
    var scheme: String
    var host: String
    var port: Int
    var target: String

    init?(_ url: String) {
        let scheme: String
        if url.hasPrefix("https://") {
            scheme = "https"
        } else if url.hasPrefix("http://") {
            scheme = "http"
        } else {
            return nil
        }
        self.scheme = scheme
        let rest = url.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let remainder = rest.dropFirst(authority.count)
        target = remainder.isEmpty ? "/" : (remainder.hasPrefix("?") ? "/" + remainder : String(remainder))
        var hostPart = Substring(authority)
        var explicitPort: Int?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { return nil }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { explicitPort = Int(after.dropFirst()) }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            explicitPort = Int(hostPart[hostPart.index(after: colon)...])
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else { return nil }
        host = String(hostPart)
        port = explicitPort ?? (scheme == "https" ? 443 : 80)
    }
}
