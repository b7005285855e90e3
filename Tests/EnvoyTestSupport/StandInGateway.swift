import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TestSupport

/// The gateway of one physical cluster, standing in for the real one: an
/// HTTP/1.1 server on 127.0.0.1 (the project's own) that answers every
/// request with a `StandInReply` naming its cluster, so a test sees where
/// Envoy sent the request, and with which host and path.
public final class StandInGateway: Sendable {
    /// The physical cluster this gateway serves, as its replies name it.
    public let cluster: String
    public let port: Int
    /// Every request answered so far, oldest first.
    public let requests: ReceivedRequests
    private let serving: Task<Void, any Error>

    public init(cluster: String) async throws {
        self.cluster = cluster
        var router = Router()
        let received = ReceivedRequests()
        router.addPrefix("/") { request in
            let reply = StandInReply(
                cluster: cluster,
                host: request.headers["host"].first ?? "",
                path: request.path + (request.query.map { "?\($0)" } ?? ""),
                method: request.method.rawValue)
            received.append(reply)
            var body = ByteBuffer()
            body.writeBytes(reply.json.bytes)
            return .bytes(.ok, contentType: "application/json", body)
        }
        var logger = Logger(label: "stand-in-\(cluster)")
        logger.logLevel = .warning
        let listening = Listening()
        let server = HTTPServer(
            configuration: ServerConfiguration(
                name: "stand-in-\(cluster)", address: BindAddress(host: "127.0.0.1", port: 0),
                shutdownGracePeriod: .seconds(1)),
            router: router, logger: logger, onListening: listening.report)
        let serving = Task { try await server.run() }
        do {
            port = try await listening.port()
        } catch {
            serving.cancel()
            throw error
        }
        self.serving = serving
        self.requests = received
    }

    /// Closes the listener (connections get the 1 s grace period).
    public func stop() { serving.cancel() }

    deinit { serving.cancel() }
}

/// What a `StandInGateway` saw of each request it answered.
public final class ReceivedRequests: Sendable {
    private let replies = Mutex<[StandInReply]>([])

    public var all: [StandInReply] { replies.withLock { $0 } }
    public var count: Int { replies.withLock { $0.count } }

    func append(_ reply: StandInReply) { replies.withLock { $0.append(reply) } }
}

/// A stand-in gateway's answer: who answered, and the request as it arrived.
public struct StandInReply: Sendable, Equatable {
    public var cluster: String
    /// The Host header the gateway received.
    public var host: String
    /// The path with its query, as the gateway received it.
    public var path: String
    public var method: String

    public init(cluster: String, host: String, path: String, method: String = "GET") {
        self.cluster = cluster
        self.host = host
        self.path = path
        self.method = method
    }

    /// Reads a reply's body; nil if it is not one (an answer of Envoy's own, such as a 404 or 503).
    public init?(body: String) {
        guard let json = try? JSON(parsing: body), let cluster = json["cluster"]?.stringValue,
            let host = json["host"]?.stringValue, let path = json["path"]?.stringValue,
            let method = json["method"]?.stringValue
        else { return nil }
        self.init(cluster: cluster, host: host, path: path, method: method)
    }

    var json: JSON {
        ["cluster": .string(cluster), "host": .string(host), "path": .string(path), "method": .string(method)]
    }
}
