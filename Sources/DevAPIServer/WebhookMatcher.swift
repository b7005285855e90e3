import KubeAPI

/// Whether a webhook is called for a request, as kube-apiserver decides:
/// its rules (`predicates/rules`), then its namespaceSelector
/// (`predicates/namespace`) and objectSelector (`predicates/object`).
/// The webhook configuration kinds themselves are never sent to webhooks.
struct WebhookMatcher {
    let store: ObjectStore

    /// The resource the webhook is called with: the request's own, or an
    /// equivalent version its rules name (matchPolicy Equivalent); nil when
    /// it is not called.
    func match(_ webhook: Webhook, _ attributes: AdmissionAttributes) throws(APIError) -> ResourceType? {
        if Self.isExempt(attributes.resource.type) { return nil }
        guard let type = matchedType(webhook, attributes) else { return nil }
        guard try namespaceMatches(webhook, attributes), try objectMatches(webhook, attributes) else { return nil }
        return type
    }

    static func isExempt(_ type: ResourceType) -> Bool {
        type.group == "admissionregistration.k8s.io"
    }

    private func matchedType(_ webhook: Webhook, _ attributes: AdmissionAttributes) -> ResourceType? {
        let type = attributes.resource.type
        if webhook.rules.contains(where: { Self.rule($0, matches: type, attributes) }) { return type }
        guard webhook.matchPolicy != "Exact" else { return nil }
        for equivalent in EquivalentResources.of(type) where equivalent != type {
            if webhook.rules.contains(where: { Self.rule($0, matches: equivalent, attributes) }) { return equivalent }
        }
        return nil
    }

    static func rule(_ rule: RuleWithOperations, matches type: ResourceType, _ attributes: AdmissionAttributes)
        -> Bool
    {
        func exactOrWildcard(_ items: [String], _ requested: String) -> Bool {
            items.contains("*") || items.contains(requested)
        }
        let isNamespace = type.group.isEmpty && type.resource == "namespaces"
        let namespaced = !isNamespace && !(attributes.namespace ?? "").isEmpty
        let scope: Bool
        switch rule.scope {
        case "*": scope = true
        case "Namespaced": scope = namespaced
        case "Cluster": scope = !namespaced
        default: scope = false
        }
        let subresource = attributes.subresource ?? ""
        let resource = rule.resources.contains { entry in
            let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let resource = String(parts[0])
            let sub = parts.count > 1 ? String(parts[1]) : ""
            return (resource == "*" || resource == type.resource) && (sub == "*" || sub == subresource)
        }
        return scope && exactOrWildcard(rule.operations, attributes.operation.rawValue)
            && exactOrWildcard(rule.apiGroups, type.group) && exactOrWildcard(rule.apiVersions, type.version)
            && resource
    }

    /// A Namespace is matched against its own labels on CREATE and UPDATE;
    /// cluster-scoped objects always match.
    private func namespaceMatches(_ webhook: Webhook, _ attributes: AdmissionAttributes) throws(APIError) -> Bool {
        let type = attributes.resource.type
        let isNamespace = type.group.isEmpty && type.resource == "namespaces"
        let namespace = attributes.namespace ?? ""
        if namespace.isEmpty && !isNamespace { return true }
        guard let selector = try Self.selector(webhook.namespaceSelector, webhook, "namespaceSelector"),
            !selector.isEverything
        else { return true }
        let labels: [String: String]
        if isNamespace, attributes.subresource == nil, [.create, .update].contains(attributes.operation) {
            labels = Self.labels(attributes.object)
        } else if let stored = store.get("namespaces", namespace: nil, name: namespace) {
            labels = Self.labels(stored)
        } else if isNamespace, let old = attributes.oldObject {
            labels = Self.labels(old)
        } else {
            throw APIError.notFound(ServedResource.all[0], namespace)
        }
        return selector.matches(labels)
    }

    /// Matches if either the new or the old object matches.
    func objectMatches(_ webhook: Webhook, _ attributes: AdmissionAttributes) throws(APIError) -> Bool {
        guard let selector = try Self.selector(webhook.objectSelector, webhook, "objectSelector"),
            !selector.isEverything
        else { return true }
        return [attributes.object, attributes.oldObject].contains { object in
            guard let object else { return false }
            return selector.matches(Self.labels(object))
        }
    }

    private static func selector(_ json: JSON?, _ webhook: Webhook, _ field: String) throws(APIError)
        -> LabelSelector?
    {
        guard let json, !json.isNull else { return nil }
        do {
            return try LabelSelector(object: json)
        } catch {
            throw APIError.internalError("webhook \"\(webhook.name ?? "")\": invalid \(field): \(error)")
        }
    }

    static func labels(_ object: JSON?) -> [String: String] {
        ObjectMeta(json: object?["metadata"] ?? .object(JSONObject())).labels
    }
}

/// Versions of a resource that are the same resource under another
/// group/version, as kube-apiserver's RESTMapper lists them for
/// matchPolicy Equivalent: the Gateway API CRDs serve HTTPRoute as v1 and
/// v1beta1 with one schema. The other kinds here have one served version.
enum EquivalentResources {
    static func of(_ type: ResourceType) -> [ResourceType] {
        guard type.group == "gateway.networking.k8s.io", type.resource == "httproutes" else { return [type] }
        return ["v1", "v1beta1"].map {
            ResourceType(
                group: type.group, version: $0, kind: type.kind, resource: type.resource, namespaced: type.namespaced)
        }
    }
}

extension EquivalentResources {
    /// The object as the other version presents it: the versions listed
    /// above share one schema, so only `apiVersion` changes.
    static func convert(_ object: JSON, to type: ResourceType) -> JSON {
        guard object["apiVersion"] != nil, object["apiVersion"]?.stringValue != type.apiVersion else { return object }
        var object = object
        object["apiVersion"] = .string(type.apiVersion)
        return object
    }
}
