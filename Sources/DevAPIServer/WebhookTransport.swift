import KubeAPI
import Synchronization
import TLS

/// Which protocols the API server offers a webhook, as kube-apiserver
/// decides it: HTTP/2 and HTTP/1.1 to a webhook on the loopback interface
/// (`localhost`, 127.0.0.0/8, `::1`), HTTP/1.1 only anywhere else. (It keeps
/// remote webhooks on HTTP/1.1 because one long-lived HTTP/2 connection
/// would pin every call to one replica behind a load balancer.) Offering
/// h2 on loopback means a webhook tested against this server answers over
/// HTTP/2, as it will beside a real kube-apiserver on the same host.
enum WebhookTransport {
    static func applicationProtocols(forHost host: String) -> [String] {
        isLoopback(host) ? ["h2", "http/1.1"] : ["http/1.1"]
    }

    static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) })
        else { return false }
        let values = octets.compactMap { UInt8($0) }
        return values.count == 4 && values[0] == 127
    }
}

/// One TLS client context per distinct `caBundle` and protocol offer:
/// every call with the same pair gets the same context.
final class TLSContextCache: Sendable {
    private struct Key: Hashable {
        var caBundle: String
        var applicationProtocols: [String]
    }

    private let contexts = Mutex<[Key: TLSContext]>([:])
    private let build: @Sendable (TLSConfiguration) throws -> TLSContext

    /// `build` makes a context; tests slow it down to widen the race
    /// between concurrent first calls.
    init(build: @escaping @Sendable (TLSConfiguration) throws -> TLSContext = { try TLSContext(configuration: $0) }) {
        self.build = build
    }

    func context(caBundle: String?, host: String) throws -> TLSContext {
        let protocols = WebhookTransport.applicationProtocols(forHost: host)
        let key = Key(caBundle: caBundle ?? "", applicationProtocols: protocols)
        if let known = contexts.withLock({ $0[key] }) { return known }
        let roots: TrustRoots
        if let caBundle, !caBundle.isEmpty {
            guard let pem = Base64.decode(caBundle) else { throw WebhookFailure("clientConfig.caBundle is not base64") }
            roots = .pem(pem)
        } else {
            roots = .system
        }
        let built = try build(.client(trustRoots: roots, applicationProtocols: protocols))
        // Concurrent first calls may each have built one: all use the first
        // stored, since the client pools connections per context, and calls
        // through two contexts could not share one HTTP/2 connection.
        return contexts.withLock { contexts in
            if let stored = contexts[key] { return stored }
            contexts[key] = built
            return built
        }
    }
}
