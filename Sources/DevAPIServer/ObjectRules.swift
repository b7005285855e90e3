import Foundation
import KubeAPI

/// What the API server does to an object on its way into storage, as
/// kube-apiserver's generic registry and the kinds' strategies do.
enum ObjectRules {
    /// Validates and fills server-set fields of a new object.
    static func prepareCreate(
        _ object: JSON,
        resource: ServedResource,
        namespace: String?
    ) throws(APIError) -> (object: JSON, name: String) {
        guard case .object = object else { throw APIError.badRequest("the request body is not a JSON object") }
        var object = object
        try checkKind(object, resource)
        try MetadataValidation.check(object, resource: resource, name: object["metadata"]?["name"]?.stringValue ?? "")
        try IntegerFields.check(object, kind: resource.type.kind)
        var metadata = ObjectMeta(json: object["metadata"] ?? .object(JSONObject()))
        if let namespace {
            if let given = metadata.namespace, !given.isEmpty, given != namespace {
                throw APIError.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
            metadata.namespace = namespace
        } else {
            metadata.namespace = nil
        }
        if metadata.name?.isEmpty ?? true, let prefix = metadata.generateName, !prefix.isEmpty {
            metadata.name = prefix + randomSuffix()
        }
        guard let name = metadata.name, !name.isEmpty else {
            throw APIError.invalid(
                resource, "", causes: [("metadata.name", "Required value: name or generateName is required")])
        }
        try validateName(name, resource)
        metadata.uid = UUID().uuidString.lowercased()
        metadata.creationTimestamp = timestamp()
        metadata.generation = 1
        metadata.json["managedFields"] = nil
        object["metadata"] = metadata.json
        object["apiVersion"] = .string(resource.type.apiVersion)
        object["kind"] = .string(resource.type.kind)
        // The status subresource alone writes status (Namespaces start Active).
        if resource.hasStatus { object["status"] = resource.type.kind == "Namespace" ? ["phase": "Active"] : nil }
        return (object, name)
    }

    /// Combines a new version of an object with the stored one: server-set
    /// metadata is kept; a main-resource write keeps the stored status, a
    /// status write keeps everything but the status; generation counts spec
    /// changes. Throws Conflict for a stale resourceVersion.
    static func prepareUpdate(
        _ new: JSON,
        current: JSON,
        resource: ServedResource,
        name: String,
        statusOnly: Bool
    ) throws(APIError) -> JSON {
        guard case .object = new else { throw APIError.badRequest("the request body is not a JSON object") }
        try checkKind(new, resource)
        if !statusOnly { try MetadataValidation.check(new, resource: resource, name: name) }
        try IntegerFields.check(new, kind: resource.type.kind)
        let newMeta = ObjectMeta(json: new["metadata"] ?? .object(JSONObject()))
        let currentMeta = ObjectMeta(json: current["metadata"] ?? .object(JSONObject()))
        if let given = newMeta.name, given != name {
            throw APIError.badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
        }
        if let version = newMeta.resourceVersion, !version.isEmpty, version != currentMeta.resourceVersion {
            throw APIError.conflict(
                resource, name,
                "the object has been modified; please apply your changes to the latest version and try again")
        }
        var result: JSON
        if statusOnly {
            result = current
            result["status"] = new["status"]
        } else {
            result = new
            var metadata = newMeta
            metadata.name = currentMeta.name
            metadata.namespace = currentMeta.namespace
            metadata.uid = currentMeta.uid
            metadata.creationTimestamp = currentMeta.creationTimestamp
            metadata.generation = currentMeta.generation
            metadata.json["managedFields"] = nil
            result["metadata"] = metadata.json
            result["apiVersion"] = .string(resource.type.apiVersion)
            result["kind"] = .string(resource.type.kind)
            if resource.hasStatus { result["status"] = current["status"] }
            if specChanged(current, result) {
                result["metadata"]?["generation"] = .integer((currentMeta.generation ?? 1) + 1)
            }
        }
        return result
    }

    /// Everything but metadata and status is "spec" for generation purposes.
    private static func specChanged(_ old: JSON, _ new: JSON) -> Bool {
        var old = old
        var new = new
        for key in ["metadata", "status", "apiVersion", "kind"] {
            old[key] = nil
            new[key] = nil
        }
        return old != new
    }

    private static func checkKind(_ object: JSON, _ resource: ServedResource) throws(APIError) {
        if let kind = object["kind"]?.stringValue, kind != resource.type.kind {
            throw APIError.badRequest("the kind \(kind) does not match the resource \(resource.qualifiedName)")
        }
        if let version = object["apiVersion"]?.stringValue, version != resource.type.apiVersion {
            throw APIError.badRequest("the apiVersion \(version) is not served for \(resource.qualifiedName)")
        }
    }

    private static func validateName(_ name: String, _ resource: ServedResource) throws(APIError) {
        // Namespaces and Services are DNS labels; the other kinds DNS subdomains.
        let label = resource.type.kind == "Namespace" || resource.type.kind == "Service"
        let problem = label ? NameValidation.dns1123LabelError(name) : NameValidation.dns1123SubdomainError(name)
        if let problem {
            throw APIError.invalid(
                resource, name, causes: [("metadata.name", "Invalid value: \"\(name)\": \(problem)")])
        }
    }

    /// Five characters as apimachinery's name generator picks them.
    static func randomSuffix() -> String {
        String((0..<5).map { _ in "bcdfghjklmnpqrstvwxz2456789".randomElement()! })
    }

    /// RFC 3339 in UTC, to the second, as metav1.Time prints.
    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(.iso8601)
    }
}
