import KubeAPI

/// The admission steps of each write, in kube-apiserver's order
/// (`pkg/endpoints/handlers/{create,update,delete}.go` and
/// `pkg/registry/rest/{create,update}.go`): mutating webhooks see the
/// object before the store fills in its system fields; after them the
/// object is decoded into its kind again, prepared as the store prepares it
/// and validated; then the validating webhooks see what will be stored.
extension DevAPIServer {
    /// A CREATE: the object to store and its name.
    func admitCreate(
        _ body: JSON,
        prepared: JSON,
        resource: ServedResource,
        namespace: String?,
        user: APIUser,
        dryRun: Bool,
        query: QueryParameters
    ) async throws(APIError) -> (object: JSON, name: String) {
        if let namespace { try refuseIfTerminating(namespace) }
        // What mutating webhooks see: no uid, creationTimestamp or
        // generation, and no name yet when it is to be generated.
        var seen = prepared
        for field in ["uid", "creationTimestamp", "generation", "deletionTimestamp"] { seen["metadata"]?[field] = nil }
        let given = ObjectMeta(json: body["metadata"] ?? .object(JSONObject())).name ?? ""
        if given.isEmpty { seen["metadata"]?["name"] = nil }
        let deadline = admission.newDeadline
        let options = AdmissionReviewRequest.options(.create, query: query)
        let isNamespace = resource.type.kind == "Namespace"
        let mutating = AdmissionAttributes(
            operation: .create, resource: resource, namespace: isNamespace ? given : namespace, name: given,
            object: seen, user: user, dryRun: dryRun, options: options, deadline: deadline)
        let mutated =
            try await admission.mutate(mutating) { object throws(APIError) in
                try Self.decode(object, resource)
            } ?? seen
        var (object, name) = try ObjectRules.prepareCreate(mutated, resource: resource, namespace: namespace)
        object = try Self.validateKind(object, current: nil, resource)
        var validating = mutating
        validating.name = name
        validating.namespace = isNamespace ? name : namespace
        validating.object = object
        try await admission.validate(validating)
        return (object, name)
    }

    /// An UPDATE (PUT or PATCH, of the object or its status): the object to store.
    func admitUpdate(
        _ candidate: JSON,
        current: JSON,
        resource: ServedResource,
        path: RequestPath,
        name: String,
        user: APIUser,
        dryRun: Bool,
        query: QueryParameters
    ) async throws(APIError) -> JSON {
        let isNamespace = resource.type.kind == "Namespace"
        let attributes = AdmissionAttributes(
            operation: .update, resource: resource, subresource: path.subresource,
            namespace: isNamespace ? name : path.namespace, name: name, object: candidate, oldObject: current,
            user: user, dryRun: dryRun, options: AdmissionReviewRequest.options(.update, query: query),
            deadline: admission.newDeadline)
        let mutated =
            try await admission.mutate(attributes) { object throws(APIError) in
                try Self.decode(object, resource)
            } ?? candidate
        var object = try ObjectRules.prepareUpdate(
            mutated, current: current, resource: resource, name: name, statusOnly: path.subresource == "status")
        object = try Self.validateKind(object, current: path.subresource == nil ? current : nil, resource)
        var validating = attributes
        validating.object = object
        try await admission.validate(validating)
        return object
    }

    /// A DELETE of `current`: mutating webhooks are called (and may not
    /// patch), then validating ones, with `oldObject` set, `object` null and
    /// the DeleteOptions.
    func admitDelete(
        _ current: JSON,
        resource: ServedResource,
        namespace: String?,
        name: String,
        user: APIUser,
        dryRun: Bool,
        options: JSON
    ) async throws(APIError) {
        let attributes = AdmissionAttributes(
            operation: .delete, resource: resource,
            namespace: resource.type.kind == "Namespace" ? name : namespace, name: name, oldObject: current,
            user: user, dryRun: dryRun, options: options, deadline: admission.newDeadline)
        _ = try await admission.mutate(attributes) { object throws(APIError) in object }
        try await admission.validate(attributes)
    }

    /// A webhook's patched object decoded into its kind: kube-apiserver's
    /// decoder drops fields the type lacks and fails (500) on a wrong type.
    static func decode(_ object: JSON, _ resource: ServedResource) throws(APIError) -> JSON {
        guard object.objectValue != nil else { throw APIError.internalError("the patched object is not a JSON object") }
        if let kind = object["kind"]?.stringValue, kind != resource.type.kind {
            throw APIError.internalError("the patched object's kind \(kind) is not \(resource.type.kind)")
        }
        guard let schema = KindSchema.of(resource.type) else { return object }
        do {
            return try schema.decode(object, path: "")
        } catch {
            throw APIError.internalError("\(error)")
        }
    }

    /// The kind's own defaulting and validation (422) after mutation.
    static func validateKind(_ object: JSON, current: JSON?, _ resource: ServedResource) throws(APIError) -> JSON {
        if resource.type == Secret.type { return try SecretRules.apply(object, current: current, resource: resource) }
        guard WebhookConfigValidation.isWebhookConfiguration(resource) else { return object }
        let mutating = resource.type == MutatingWebhookConfiguration.type
        let defaulted = WebhookConfigValidation.defaulted(object, mutating: mutating)
        let problems = WebhookConfigValidation.problems(defaulted, mutating: mutating)
        guard problems.isEmpty else {
            throw APIError.invalid(resource, ObjectMeta(json: object["metadata"] ?? .null).name ?? "", causes: problems)
        }
        return defaulted
    }

    /// kube-apiserver's NamespaceLifecycle: nothing new in a namespace being deleted.
    func refuseIfTerminating(_ namespace: String) throws(APIError) {
        guard let stored = store.get("namespaces", namespace: nil, name: namespace) else { return }
        if ObjectMeta(json: stored["metadata"] ?? .null).deletionTimestamp != nil {
            throw APIError.forbidden(
                "unable to create new content in namespace \(namespace) because it is being terminated")
        }
    }
}
