import Foundation
import HTTPServer
import KubeAPI
import NIOCore
import NIOHTTP1

extension DevAPIServer {
    func list(_ resource: ServedResource, namespace: String?, query: QueryParameters) throws(APIError) -> HTTPResponse {
        let filter = try ObjectFilter(query)
        _ = try RequestOptions.resourceVersion(query)
        let limit = try RequestOptions.limit(query)
        // Paging: `continue` carries the key of the last item returned.
        var after: String?
        if let token = query["continue"], !token.isEmpty {
            guard let bytes = Base64.decode(token) else { throw APIError.badRequest("invalid continue token") }
            after = String(decoding: bytes, as: UTF8.self)
        }
        let (items, more, revision) = store.page(
            resource.qualifiedName, namespace: namespace, after: after, limit: limit, matching: filter.matches)
        var metadata: JSON = ["resourceVersion": .string(String(revision))]
        if more, let last = items.last {
            metadata["continue"] = .string(Base64.encode(Array(last.key.utf8)))
        }
        return Self.json(
            .ok,
            [
                "kind": .string(resource.type.kind + "List"), "apiVersion": .string(resource.type.apiVersion),
                "metadata": metadata, "items": .array(items.map(\.object)),
            ])
    }

    func create(
        _ resource: ServedResource,
        namespace: String?,
        body: JSON,
        user: APIUser,
        dryRun: Bool,
        query: QueryParameters = QueryParameters(nil)
    ) async throws(APIError) -> HTTPResponse {
        let (prepared, _) = try ObjectRules.prepareCreate(body, resource: resource, namespace: namespace)
        try WriteLimits.checkObject(prepared)
        if let namespace, store.get("namespaces", namespace: nil, name: namespace) == nil {
            throw APIError.notFound(ServedResource.all[0], namespace)
        }
        let (object, name) = try await admitCreate(
            body, prepared: prepared, resource: resource, namespace: namespace, user: user, dryRun: dryRun,
            query: query)
        try WriteLimits.checkObject(object)
        if dryRun {
            guard store.get(resource.qualifiedName, namespace: namespace, name: name) == nil else {
                throw APIError.alreadyExists(resource, name)
            }
            return Self.json(.created, object)
        }
        let stored = try await store.write(resource.qualifiedName, namespace: namespace, name: name) {
            current throws(APIError) in
            guard current == nil else { throw APIError.alreadyExists(resource, name) }
            return object
        }
        return Self.json(.created, stored ?? object)
    }

    func update(
        _ resource: ServedResource,
        path: RequestPath,
        name: String,
        body: JSON,
        statusOnly: Bool,
        user: APIUser,
        dryRun: Bool,
        query: QueryParameters = QueryParameters(nil)
    ) async throws(APIError) -> HTTPResponse {
        try await replace(resource, path: path, name: name, user: user, dryRun: dryRun, query: query) {
            current throws(APIError) in
            try ObjectRules.prepareUpdate(
                body, current: current, resource: resource, name: name, statusOnly: statusOnly)
        }
    }

    func patch(
        _ resource: ServedResource,
        path: RequestPath,
        name: String,
        request: HTTPRequest,
        statusOnly: Bool,
        user: APIUser,
        dryRun: Bool,
        query: QueryParameters = QueryParameters(nil)
    ) async throws(APIError) -> HTTPResponse {
        let contentType = Self.contentType(of: request)
        guard let kind = PatchKind(rawValue: contentType) else {
            throw APIError.unsupportedMediaType(contentType, accepted: PatchKind.allCases.map(\.rawValue))
        }
        let patch = try Self.body(request, accepting: [kind.rawValue])
        return try await replace(resource, path: path, name: name, user: user, dryRun: dryRun, query: query) {
            current throws(APIError) in
            try ObjectRules.prepareUpdate(
                try kind.apply(patch, to: current), current: current, resource: resource, name: name,
                statusOnly: statusOnly)
        }
    }

    /// Read, change, admit (no lock held), then store if nobody wrote the
    /// object meanwhile; a write that raced one retries from the new version.
    private func replace(
        _ resource: ServedResource,
        path: RequestPath,
        name: String,
        user: APIUser,
        dryRun: Bool,
        query: QueryParameters,
        _ change: (JSON) throws(APIError) -> JSON
    ) async throws(APIError) -> HTTPResponse {
        for attempt in 1...3 {
            guard let current = store.get(resource.qualifiedName, namespace: path.namespace, name: name) else {
                throw APIError.notFound(resource, name)
            }
            let candidate = try change(current)
            try WriteLimits.checkObject(candidate)
            let admitted = try await admitUpdate(
                candidate, current: current, resource: resource, path: path, name: name, user: user, dryRun: dryRun,
                query: query)
            try WriteLimits.checkObject(admitted)
            if dryRun { return Self.json(.ok, admitted) }
            let version = current["metadata"]?["resourceVersion"]
            do throws(APIError) {
                let stored = try await store.write(resource.qualifiedName, namespace: path.namespace, name: name) {
                    now throws(APIError) in
                    guard let now else { throw APIError.notFound(resource, name) }
                    guard now["metadata"]?["resourceVersion"] == version else {
                        throw APIError.conflict(
                            resource, name,
                            "the object has been modified; please apply your changes to the latest version and try again"
                        )
                    }
                    return admitted
                }
                return Self.json(.ok, stored!)
            } catch  where error.status.reason == "Conflict" && attempt < 3 {
                continue
            }
        }
        throw APIError.conflict(
            resource, name,
            "the object has been modified; please apply your changes to the latest version and try again")
    }

    func delete(
        _ resource: ServedResource,
        namespace: String?,
        name: String,
        request: HTTPRequest,
        user: APIUser,
        dryRun: Bool,
        query: QueryParameters = QueryParameters(nil)
    ) async throws(APIError) -> HTTPResponse {
        let body = request.body.readableBytes > 0 ? try Self.body(request) : JSON.object(JSONObject())
        let options = try DeleteOptions(body, queryDryRun: dryRun)
        let check = { (current: JSON?) throws(APIError) -> JSON in
            guard let current else { throw APIError.notFound(resource, name) }
            let metadata = ObjectMeta(json: current["metadata"] ?? .object(JSONObject()))
            if let uid = options.uid, uid != metadata.uid {
                throw APIError.conflict(
                    resource, name,
                    "Precondition failed: UID in precondition: \(uid), UID in object meta: \(metadata.uid ?? "")")
            }
            if let version = options.resourceVersion, version != metadata.resourceVersion {
                throw APIError.conflict(
                    resource, name,
                    "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(metadata.resourceVersion ?? "")"
                )
            }
            return current
        }
        let deleted = try await deleteAdmitted(
            resource, namespace: namespace, name: name, user: user, dryRun: options.dryRun,
            options: AdmissionReviewRequest.options(.delete, query: query, deleteBody: body), check: check)
        return Self.json(.ok, deleted)
    }
}

/// `labelSelector` and `fieldSelector` (`metadata.name`, `metadata.namespace`, with `=`, `==`, `!=`).
struct ObjectFilter {
    let labels: LabelSelector
    let fields: [(path: String, value: String, equal: Bool)]

    init(_ query: QueryParameters) throws(APIError) {
        do {
            labels = try LabelSelector(parsing: query["labelSelector"] ?? "")
        } catch {
            throw APIError.badRequest("unable to parse requirement: \(error)")
        }
        var fields: [(String, String, Bool)] = []
        for term in (query["fieldSelector"] ?? "").split(separator: ",") {
            let equal = !term.contains("!=")
            let parts = term.split(separator: equal ? "=" : "!", maxSplits: 1).map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "="))
            }
            guard parts.count == 2, ["metadata.name", "metadata.namespace"].contains(parts[0]) else {
                throw APIError.badRequest("field label not supported: \(parts.first ?? "")")
            }
            fields.append((parts[0], parts[1], equal))
        }
        self.fields = fields
    }

    func matches(_ object: JSON) -> Bool {
        let metadata = ObjectMeta(json: object["metadata"] ?? .object(JSONObject()))
        guard labels.matches(metadata.labels) else { return false }
        for field in fields {
            let actual = field.path == "metadata.name" ? metadata.name : metadata.namespace
            if (actual == field.value) != field.equal { return false }
        }
        return true
    }
}
