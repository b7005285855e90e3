import KubeAPI

/// The `request` of the AdmissionReview sent to a webhook, field for field
/// as kube-apiserver's `CreateAdmissionObjects` fills it: empty optional
/// fields are left out as Go's `omitempty` leaves them out, and `object` /
/// `oldObject` are null where the operation has none.
enum AdmissionReviewRequest {
    /// `matched` is the resource the webhook's rules matched (an
    /// equivalent version under matchPolicy Equivalent): `kind` and
    /// `resource` name it, `requestKind` and `requestResource` the request's.
    static func review(apiVersion: String, uid: String, _ attributes: AdmissionAttributes, matched: ResourceType)
        -> JSON
    {
        let requested = attributes.resource.type
        var request: JSON = [
            "uid": .string(uid), "kind": kind(matched), "resource": resource(matched), "requestKind": kind(requested),
            "requestResource": resource(requested),
        ]
        if let subresource = attributes.subresource {
            request["subResource"] = .string(subresource)
            request["requestSubResource"] = .string(subresource)
        }
        if !attributes.name.isEmpty { request["name"] = .string(attributes.name) }
        if let namespace = attributes.namespace, !namespace.isEmpty { request["namespace"] = .string(namespace) }
        request["operation"] = .string(attributes.operation.rawValue)
        request["userInfo"] = userInfo(attributes.user)
        request["object"] = attributes.object ?? .null
        request["oldObject"] = attributes.oldObject ?? .null
        request["dryRun"] = .bool(attributes.dryRun)
        if let options = attributes.options { request["options"] = options }
        return ["kind": "AdmissionReview", "apiVersion": .string(apiVersion), "request": request]
    }

    private static func kind(_ type: ResourceType) -> JSON {
        ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
    }

    private static func resource(_ type: ResourceType) -> JSON {
        ["group": .string(type.group), "version": .string(type.version), "resource": .string(type.resource)]
    }

    /// authentication/v1 UserInfo: username, uid, groups, extra.
    static func userInfo(_ user: APIUser) -> JSON {
        var info: JSON = ["username": .string(user.name)]
        if let uid = user.uid, !uid.isEmpty { info["uid"] = .string(uid) }
        if !user.groups.isEmpty { info["groups"] = .array(user.groups.map(JSON.string)) }
        if !user.extra.isEmpty {
            info["extra"] = .object(
                JSONObject(user.extra.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map(JSON.string))) }))
        }
        return info
    }

    /// The operation's options as a `meta.k8s.io/v1` object
    /// (CreateOptions, UpdateOptions or DeleteOptions) built from the query
    /// and, for DELETE, the body.
    static func options(
        _ operation: AdmissionOperation,
        query: QueryParameters,
        deleteBody: JSON? = nil
    ) -> JSON {
        var options: JSON
        switch operation {
        case .delete:
            options = deleteBody.flatMap { $0.objectValue == nil ? nil : $0 } ?? .object(JSONObject())
            options["kind"] = "DeleteOptions"
            if let grace = query["gracePeriodSeconds"].flatMap(Int64.init) {
                options["gracePeriodSeconds"] = .integer(grace)
            }
            if let policy = query["propagationPolicy"], !policy.isEmpty {
                options["propagationPolicy"] = .string(policy)
            }
        case .update:
            options = ["kind": "UpdateOptions"]
        default:
            options = ["kind": "CreateOptions"]
        }
        options["apiVersion"] = "meta.k8s.io/v1"
        if query["dryRun"] == "All" { options["dryRun"] = ["All"] }
        if operation != .delete {
            if let manager = query["fieldManager"], !manager.isEmpty { options["fieldManager"] = .string(manager) }
            if let validation = query["fieldValidation"], !validation.isEmpty {
                options["fieldValidation"] = .string(validation)
            }
        }
        return options
    }
}
