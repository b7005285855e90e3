public import Foundation
import HTTPClient
public import HTTPServer
import KubeAPI
public import Logging
import NIOCore
import NIOHTTP1

/// The embedded development API server: Kubernetes' REST conventions for
/// the kinds of `ServedResource.all`, over the project's HTTPServer.
public final class DevAPIServer: Sendable {
    let store: ObjectStore
    let admission: AdmissionChain
    let authenticator: TokenAuthenticator
    let logger: Logger
    /// Idle watches get a BOOKMARK this often when they asked for bookmarks.
    let bookmarkInterval: Duration

    /// - Parameters:
    ///   - dataDirectory: where objects persist; nil keeps them in memory.
    ///   - admissionRequestTimeout: how long a write's webhooks may take in all (kube-apiserver's 60 s).
    public init(
        authenticator: TokenAuthenticator,
        logger: Logger,
        dataDirectory: URL? = nil,
        historyCapacity: Int = 10_000,
        historyByteCapacity: Int = 32 * 1024 * 1024,
        bookmarkInterval: Duration = .seconds(10),
        admissionRequestTimeout: Duration = .seconds(60)
    ) throws {
        self.store = ObjectStore(
            historyCapacity: historyCapacity, historyByteCapacity: historyByteCapacity,
            log: try dataDirectory.map { try ObjectLog(directory: $0) })
        self.admission = AdmissionChain(store: store, client: HTTPClient(), requestTimeout: admissionRequestTimeout)
        self.authenticator = authenticator
        self.logger = logger
        self.bookmarkInterval = bookmarkInterval
        for name in ["default", "kube-system", "kube-public"]
        where store.get("namespaces", namespace: nil, name: name) == nil {
            let namespace = Namespace(name: name)
            if let prepared = try? ObjectRules.prepareCreate(
                namespace.json, resource: ServedResource.all[0], namespace: nil)
            {
                try? store.writeAtStart("namespaces", namespace: nil, name: name, object: prepared.object)
            }
        }
    }

    /// Ends every watch (at shutdown: clients re-watch instead of holding the
    /// listener's grace period).
    public func closeWatches() {
        store.closeWatches()
    }

    /// Discovery and the resource paths.
    public var router: Router {
        var router = Router()
        router.add(.GET, "/version") { _ in Self.json(.ok, Discovery.version()) }
        router.add(.GET, "/api") { request in
            await self.authenticated(request) { _ in Self.json(.ok, Discovery.coreVersions()) }
        }
        router.add(.GET, "/apis") { request in
            await self.authenticated(request) { _ in Self.json(.ok, Discovery.groups()) }
        }
        router.add(.GET, "/openapi/v3") { request in
            await self.authenticated(request) { _ in Self.json(.ok, OpenAPI.root()) }
        }
        router.addPrefix("/openapi/v3/") { request in
            await self.authenticated(request) { _ in
                guard let document = OpenAPI.groupVersion(String(request.path.dropFirst("/openapi/v3/".count))) else {
                    return Self.error(.pathNotFound())
                }
                return Self.json(.ok, document)
            }
        }
        let resources: HTTPHandler = { request in
            await self.authenticated(request) { user in
                // Webhooks' warnings reach the client as Warning headers, on a refusal too.
                let warnings = AdmissionWarnings()
                var response = await AdmissionWarnings.$current.withValue(warnings) {
                    await self.serve(request, user: user)
                }
                warnings.apply(to: &response.headers)
                return response
            }
        }
        router.addPrefix("/api/", resources)
        router.addPrefix("/apis/", resources)
        return router
    }

    private func authenticated(_ request: HTTPRequest, _ body: (APIUser) async -> HTTPResponse) async -> HTTPResponse {
        guard let user = authenticator.user(authorization: request.headers.first(name: "authorization")) else {
            return Self.error(.unauthorized())
        }
        return await body(user)
    }

    private func serve(_ request: HTTPRequest, user: APIUser) async -> HTTPResponse {
        let trimmed = request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        // Discovery of one group version.
        let parts = trimmed.split(separator: "/")
        if request.method == .GET, (parts.count == 2 && parts[0] == "api") || (parts.count == 3 && parts[0] == "apis") {
            let groupVersion = parts.dropFirst().joined(separator: "/")
            guard let list = Discovery.resources(groupVersion: groupVersion) else { return Self.error(.pathNotFound()) }
            return Self.json(.ok, list)
        }
        guard let path = RequestPath(trimmed),
            let resource = ServedResource.find(group: path.group, version: path.version, resource: path.resource)
        else { return Self.error(.pathNotFound()) }
        guard path.namespace == nil || resource.type.namespaced else { return Self.error(.pathNotFound()) }
        let query = QueryParameters(request.query)
        do throws(APIError) {
            return try await dispatch(request, path: path, resource: resource, query: query, user: user)
        } catch {
            return Self.error(error)
        }
    }

    private func dispatch(
        _ request: HTTPRequest,
        path: RequestPath,
        resource: ServedResource,
        query: QueryParameters,
        user: APIUser
    ) async throws(APIError) -> HTTPResponse {
        // kubectl asks reads for a Table to print.
        let table =
            request.method == .GET
            ? try TableRequest.negotiate(accept: request.headers.first(name: "accept"), query: query) : nil
        if let subresource = path.subresource, subresource != "status" || !resource.hasStatus {
            throw APIError.pathNotFound()
        }
        let statusOnly = path.subresource == "status"
        let dryRun = try RequestOptions.dryRun(query, method: request.method)
        switch (request.method, path.name) {
        case (.GET, nil) where path.watch || query.flag("watch"):
            return try watch(resource, path: path, query: query, table: table)
        case (.GET, nil):
            let list = try list(resource, namespace: path.namespace, query: query)
            return try table?.table(ofList: list, kind: resource.type.kind) ?? list
        case (.GET, let name?) where path.watch:
            var query = query
            query.set("fieldSelector", "metadata.name=\(name)")
            return try watch(resource, path: path, query: query, table: table)
        case (.GET, let name?):
            _ = try RequestOptions.resourceVersion(query)
            guard let object = store.get(resource.qualifiedName, namespace: path.namespace, name: name) else {
                throw APIError.notFound(resource, name)
            }
            return Self.json(.ok, table?.table(of: object, kind: resource.type.kind) ?? object)
        case (.POST, nil):
            return try await create(
                resource, namespace: path.namespace, body: try Self.body(request), user: user, dryRun: dryRun,
                query: query)
        case (.PUT, let name?):
            return try await update(
                resource, path: path, name: name, body: try Self.body(request), statusOnly: statusOnly, user: user,
                dryRun: dryRun, query: query)
        case (.PATCH, let name?):
            return try await patch(
                resource, path: path, name: name, request: request, statusOnly: statusOnly, user: user, dryRun: dryRun,
                query: query)
        case (.DELETE, let name?):
            return try await delete(
                resource, namespace: path.namespace, name: name, request: request, user: user, dryRun: dryRun,
                query: query)
        case (.DELETE, nil):
            let options = request.body.readableBytes > 0 ? try Self.body(request) : nil
            return Self.json(
                .ok,
                try await deleteCollection(
                    resource, namespace: path.namespace, query: query, body: options, user: user, dryRun: dryRun))
        default:
            throw APIError.methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    /// The request's body as JSON, refused with 415 unless its content type
    /// is one of `accepted`. Protobuf bodies (kubectl's imperative commands
    /// send them for built-in kinds) become the JSON a JSON body would be.
    static func body(
        _ request: HTTPRequest,
        accepting accepted: [String] = ["application/json", KubernetesProtobuf.mediaType]
    ) throws(APIError) -> JSON {
        let contentType = Self.contentType(of: request)
        guard accepted.contains(contentType) else {
            throw APIError.unsupportedMediaType(contentType, accepted: accepted)
        }
        try WriteLimits.checkBody(bytes: request.body.readableBytes)
        if contentType == KubernetesProtobuf.mediaType { return try protobufBody(request) }
        do {
            return try JSON(parsing: request.body.readableBytesView)
        } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(error)")
        }
    }

    /// The media type of the body, without parameters; JSON when unsaid.
    static func contentType(of request: HTTPRequest) -> String {
        request.headers.first(name: "content-type")?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? "application/json"
    }

    static func json(_ status: HTTPResponseStatus, _ value: JSON) -> HTTPResponse {
        var body = ByteBuffer()
        body.writeBytes(value.bytes)
        return .bytes(status, contentType: "application/json", body)
    }

    static func error(_ error: APIError) -> HTTPResponse {
        json(HTTPResponseStatus(statusCode: Int(error.code)), error.status.json)
    }
}

extension QueryParameters {
    mutating func set(_ key: String, _ value: String) {
        self = QueryParameters(
            ([key + "=" + value] + (rawPairs.filter { !$0.hasPrefix(key + "=") })).joined(separator: "&"))
    }
}
