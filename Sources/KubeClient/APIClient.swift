import Foundation
import HTTPClient
public import KubeAPI
import Metrics
import NIOCore
import NIOHTTP1
import Synchronization
import TLS

/// How an `APIClient` behaves: controller-runtime's defaults.
public struct APIClientOptions: Sendable {
    /// Requests per second, sustained (`--kube-api-qps`).
    public var qps: Double = 20
    /// Requests allowed at once above the sustained rate (`--kube-api-burst`).
    public var burst: Int = 30
    public var userAgent: String = "kcp-ingress/\(KCPIngressVersion.current)"
    /// The whole of one request, except watches (their own timeoutSeconds bounds them).
    public var requestTimeout: Duration = .seconds(30)
    /// Retries of a 429, or a 5xx with `Retry-After`, before giving up (client-go: 10).
    public var maxRetries: Int = 10
    /// Items per page when listing (client-go's pager: 500).
    public var pageSize: Int = 500

    public init() {}
}

/// How a patch is written.
public enum Patch: Sendable {
    /// RFC 6902.
    case json(JSONPatch)
    /// RFC 7386.
    case merge(JSON)

    var contentType: String {
        switch self {
        case .json: "application/json-patch+json"
        case .merge: "application/merge-patch+json"
        }
    }

    var body: JSON {
        switch self {
        case .json(let patch): patch.json
        case .merge(let patch): patch
        }
    }
}

/// One page or more of a list: the items and the collection's resourceVersion.
public struct ObjectList: Sendable {
    public var items: [JSON]
    /// Where a watch of the same collection resumes.
    public var resourceVersion: String
}

/// A Kubernetes REST client: what client-go's dynamic client does, over the
/// project's HTTPClient and OpenSSL.
///
/// Every request waits for the client-side rate limiter (a token bucket of
/// `qps` and `burst`), carries the User-Agent and the bearer token, and is
/// retried when the server says to come back later (429, or 5xx with
/// Retry-After). Failures are `KubeError`s.
public final class APIClient: Sendable {
    public let connection: ClusterConnection
    public let options: APIClientOptions
    let http: HTTPClient
    let tls: TLSContext?
    private let credentials: Credentials
    /// `host:port` of the server, as the request metrics name it.
    private let metricsHost: String
    private let limiter: Mutex<TokenBucket<ContinuousClock.Instant>>

    public init(connection: ClusterConnection, options: APIClientOptions = APIClientOptions()) throws {
        self.connection = connection
        self.options = options
        http = HTTPClient()
        if connection.server.hasPrefix("https://") {
            var identity: CertificateKeyPair?
            if let certificate = connection.clientCertificate, let key = connection.clientKey {
                identity = CertificateKeyPair(certificateChainPEM: certificate, privateKeyPEM: key)
            }
            let roots: TrustRoots? =
                connection.insecureSkipTLSVerify ? nil : connection.certificateAuthority.map(TrustRoots.pem) ?? .system
            do {
                tls = try TLSContext(configuration: .client(trustRoots: roots, identity: identity))
            } catch {
                throw KubeConfigError("the TLS settings for \(connection.server) are unusable: \(error.message)")
            }
        } else {
            tls = nil
        }
        credentials = Credentials(token: connection.token, tokenFile: connection.tokenFile)
        metricsHost = String(connection.server.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" })
        limiter = Mutex(TokenBucket(rate: options.qps, burst: options.burst, now: .now))
    }

    deinit { http.shutdown() }

    // MARK: Verbs

    public func get(_ type: ResourceType, namespace: String?, name: String) async throws -> JSON {
        try await send(.GET, APIPath.item(type, namespace: namespace, name: name))
    }

    /// Every item, following `continue` pages. When a continue token expires
    /// mid-way (410), the list starts over without paging, as client-go's pager does.
    public func list(
        _ type: ResourceType, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil
    ) async throws -> ObjectList {
        var items: [JSON] = []
        let resourceVersion = try await listPages(
            type, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector
        ) { page, startingOver in
            if startingOver { items = [] }
            items.append(contentsOf: page)
        }
        return ObjectList(items: items, resourceVersion: resourceVersion)
    }

    /// The same list, handed to `page` a page at a time as each arrives, so
    /// that a caller keeping the items in another form (an informer's
    /// store) never holds all of them parsed at once. `startingOver` is
    /// true for the first page after an expired continue token: the items
    /// handed so far are from a list that was abandoned. Returns the
    /// resourceVersion a watch resumes from.
    public func listPages(
        _ type: ResourceType, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
        page handle: (_ items: [JSON], _ startingOver: Bool) async throws -> Void
    ) async throws -> String {
        var continueToken: String?
        var paging = true
        var startingOver = false
        while true {
            let query = APIPath.query([
                ("labelSelector", labelSelector), ("fieldSelector", fieldSelector),
                ("limit", paging ? String(options.pageSize) : nil), ("continue", continueToken),
            ])
            let page: JSON
            do {
                page = try await send(.GET, APIPath.collection(type, namespace: namespace) + query)
            } catch let error as KubeError where error.reason == .expired && continueToken != nil {
                continueToken = nil
                paging = false
                startingOver = true
                continue
            }
            guard let items = page["items"]?.arrayValue else {
                throw KubeError(reason: .malformedResponse, code: 200, message: "a list without items")
            }
            try await handle(items, startingOver)
            startingOver = false
            let next = page["metadata"]?["continue"]?.stringValue ?? ""
            if next.isEmpty { return page["metadata"]?["resourceVersion"]?.stringValue ?? "" }
            continueToken = next
        }
    }

    public func create(_ object: JSON, _ type: ResourceType, namespace: String?, dryRun: Bool = false) async throws
        -> JSON
    {
        try await send(
            .POST, APIPath.collection(type, namespace: namespace) + Self.dryRun(dryRun), body: object,
            contentType: "application/json")
    }

    /// Replaces the object; 409 Conflict when its resourceVersion is stale.
    public func update(
        _ object: JSON, _ type: ResourceType, subresource: String? = nil, dryRun: Bool = false
    ) async throws -> JSON {
        let meta = ObjectMeta(json: object["metadata"] ?? [:])
        guard let name = meta.name else {
            throw KubeError(reason: .invalid, code: 0, message: "update: the object has no metadata.name")
        }
        return try await send(
            .PUT,
            APIPath.item(type, namespace: meta.namespace, name: name, subresource: subresource) + Self.dryRun(dryRun),
            body: object, contentType: "application/json")
    }

    public func updateStatus(_ object: JSON, _ type: ResourceType) async throws -> JSON {
        try await update(object, type, subresource: "status")
    }

    public func patch(
        _ type: ResourceType, namespace: String?, name: String, _ patch: Patch, subresource: String? = nil,
        dryRun: Bool = false
    ) async throws -> JSON {
        try await send(
            .PATCH,
            APIPath.item(type, namespace: namespace, name: name, subresource: subresource) + Self.dryRun(dryRun),
            body: patch.body, contentType: patch.contentType)
    }

    /// Deletes the object, only if it still has `uid` / `resourceVersion` when given.
    /// Returns what the server answers: the object (when finalizers keep it) or a Status.
    @discardableResult
    public func delete(
        _ type: ResourceType, namespace: String?, name: String, uid: String? = nil, resourceVersion: String? = nil,
        dryRun: Bool = false
    ) async throws -> JSON {
        var body: JSON?
        if uid != nil || resourceVersion != nil {
            var preconditions = JSONObject()
            if let uid { preconditions["uid"] = .string(uid) }
            if let resourceVersion { preconditions["resourceVersion"] = .string(resourceVersion) }
            body = ["apiVersion": "v1", "kind": "DeleteOptions", "preconditions": .object(preconditions)]
        }
        return try await send(
            .DELETE, APIPath.item(type, namespace: namespace, name: name) + Self.dryRun(dryRun), body: body,
            contentType: body == nil ? nil : "application/json")
    }

    private static func dryRun(_ on: Bool) -> String { on ? "?dryRun=All" : "" }

    // MARK: Transport

    /// `path` (with its query) under the server's URL and path prefix.
    func request(_ method: HTTPMethod, _ path: String, body: JSON? = nil, contentType: String? = nil) throws
        -> ClientRequest
    {
        var headers: HTTPHeaders = ["accept": "application/json", "user-agent": options.userAgent]
        if let authorization = credentials.authorization() { headers.add(name: "authorization", value: authorization) }
        if let contentType { headers.add(name: "content-type", value: contentType) }
        var buffer = ByteBuffer()
        if let body { buffer.writeBytes(body.bytes) }
        do {
            return try ClientRequest(method: method, url: connection.server + path, headers: headers, body: buffer)
        } catch {
            throw KubeError(reason: .badRequest, code: 0, message: "\(error)")
        }
    }

    /// client-go's request metrics: `rest_client_requests_total{code,method,host}`
    /// (`<error>` when there was no answer) and `rest_client_request_duration_seconds{verb,host}`.
    func recordRequest(_ method: HTTPMethod, code: String, since started: ContinuousClock.Instant) {
        let host = metricsHost
        Counter(
            label: "rest_client_requests_total",
            dimensions: [("code", code), ("method", method.rawValue), ("host", host)]
        )
        .increment()
        Metrics.Timer(
            label: "rest_client_request_duration_seconds", dimensions: [("verb", method.rawValue), ("host", host)],
            preferredDisplayUnit: .seconds
        ).record(duration: started.duration(to: .now))
    }

    /// Waits until the rate limiter allows one more request.
    func throttle() async throws {
        let wait = limiter.withLock { $0.reserve(at: .now) }
        if wait > .zero { try await Task.sleep(for: wait) }
    }

    private func send(_ method: HTTPMethod, _ path: String, body: JSON? = nil, contentType: String? = nil)
        async throws -> JSON
    {
        var attempt = 0
        while true {
            try await throttle()
            let request = try request(method, path, body: body, contentType: contentType)
            let response: ClientResponse
            let started = ContinuousClock.now
            do {
                response = try await http.execute(request, tls: tls, timeout: options.requestTimeout)
                recordRequest(method, code: "\(response.status.code)", since: started)
            } catch HTTPClientError.timedOut {
                recordRequest(method, code: "<error>", since: started)
                throw KubeError(
                    reason: .timeout, code: 0, message: "\(method) \(path): no answer within \(options.requestTimeout)")
            } catch let error as CancellationError {
                throw error
            } catch {
                recordRequest(method, code: "<error>", since: started)
                throw KubeError(reason: .unreachable, code: 0, message: "\(method) \(path): \(error)")
            }
            let code = Int(response.status.code)
            let json = try? JSON(parsing: response.body.readableBytesView)
            if (200..<300).contains(code) {
                guard let json else {
                    throw KubeError(reason: .malformedResponse, code: code, message: "\(method) \(path): not JSON")
                }
                return json
            }
            let retryAfterHeader = response.headers.first(name: "retry-after")
            let error = KubeError(code: code, body: json, retryAfterHeader: retryAfterHeader)
            let retriable = code == 429 || (code >= 500 && retryAfterHeader != nil)
            guard retriable, attempt < options.maxRetries else { throw error }
            attempt += 1
            try await Task.sleep(for: error.retryAfter ?? .seconds(1))
        }
    }
}
