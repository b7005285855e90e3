import KubeAPI
import Logging

/// Deletes that follow another: the dependents the garbage collector
/// deletes, a namespace's contents the namespace controller deletes, and
/// the items of a deletecollection. Each is a DELETE of its own through
/// admission, as in kube-apiserver, under the identity of the controller
/// that makes it there; a dependent a webhook refuses to delete stays.
extension DevAPIServer {
    static let garbageCollector = APIUser(
        name: "system:serviceaccount:kube-system:generic-garbage-collector",
        groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"])
    static let namespaceController = APIUser(
        name: "system:serviceaccount:kube-system:namespace-controller",
        groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"])

    /// One object deleted through admission; returns it as deleted.
    func deleteAdmitted(
        _ resource: ServedResource,
        namespace: String?,
        name: String,
        user: APIUser,
        dryRun: Bool,
        options: JSON,
        check: (JSON?) throws(APIError) -> JSON
    ) async throws(APIError) -> JSON {
        let current = try check(store.get(resource.qualifiedName, namespace: namespace, name: name))
        try await admitDelete(
            current, resource: resource, namespace: namespace, name: name, user: user, dryRun: dryRun,
            options: options)
        if dryRun { return current }
        if resource.type.kind == "Namespace" { return try await deleteNamespace(name, current: current, check: check) }
        let deleted = try await store.write(resource.qualifiedName, namespace: namespace, name: name) {
            now throws(APIError) -> JSON? in
            _ = try check(now)
            return nil
        }
        guard let deleted else { throw APIError.notFound(resource, name) }
        let orphan = options["propagationPolicy"] == "Orphan" || options["orphanDependents"] == true
        if !orphan { await collectDependents(of: deleted, namespace: namespace) }
        return deleted
    }

    /// DeleteOptions carry dryRun in the body, where kubectl puts it.
    static func asksDryRun(_ options: JSON?) -> Bool {
        options?["dryRun"]?.arrayValue?.contains("All") ?? false
    }

    /// Marks the namespace Terminating, deletes what it holds, and removes
    /// it once empty; otherwise it stays Terminating with a condition
    /// naming what could not be deleted (a second DELETE tries again).
    private func deleteNamespace(_ name: String, current: JSON, check: (JSON?) throws(APIError) -> JSON)
        async throws(APIError) -> JSON
    {
        let namespaces = ServedResource.all[0]
        let terminating = try await store.write("namespaces", namespace: nil, name: name) {
            now throws(APIError) -> JSON? in
            var object = try check(now)
            if object["metadata"]?["deletionTimestamp"] == nil {
                object["metadata"]?["deletionTimestamp"] = .string(ObjectRules.timestamp())
            }
            object["status"] = ["phase": "Terminating"]
            return object
        }
        var failures: [String] = []
        for other in ServedResource.all where other.type.namespaced {
            for (_, object) in store.list(other.qualifiedName, namespace: name).items {
                guard let objectName = ObjectMeta(json: object["metadata"] ?? .null).name else { continue }
                do throws(APIError) {
                    _ = try await deleteAdmitted(
                        other, namespace: name, name: objectName, user: Self.namespaceController, dryRun: false,
                        options: ["kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1"]
                    ) { now throws(APIError) in
                        guard let now else { throw APIError.notFound(other, objectName) }
                        return now
                    }
                } catch  where error.status.reason == "NotFound" {
                    continue
                } catch {
                    failures.append(error.status.message ?? "")
                }
            }
        }
        guard failures.isEmpty else {
            let condition: JSON = [
                "type": "NamespaceDeletionContentFailure", "status": "True", "reason": "ContentDeletionFailed",
                "lastTransitionTime": .string(ObjectRules.timestamp()),
                "message": .string(
                    "Failed to delete all resource types, \(failures.count) remaining: \(failures.joined(separator: ", "))"
                ),
            ]
            let stuck = try await store.write("namespaces", namespace: nil, name: name) {
                now throws(APIError) -> JSON? in
                guard var object = now else { throw APIError.notFound(namespaces, name) }
                object["status"] = ["phase": "Terminating", "conditions": [condition]]
                return object
            }
            return stuck ?? terminating ?? current
        }
        let deleted = try await store.write("namespaces", namespace: nil, name: name) { _ throws(APIError) -> JSON? in
            nil
        }
        return deleted ?? terminating ?? current
    }

    /// Deletes, through admission, the objects in the owner's namespace whose
    /// ownerReferences name its uid; a refused one is left in place.
    func collectDependents(of owner: JSON, namespace: String?) async {
        guard let namespace, let uid = ObjectMeta(json: owner["metadata"] ?? .null).uid else { return }
        for other in ServedResource.all where other.type.namespaced {
            for (_, object) in store.list(other.qualifiedName, namespace: namespace).items {
                let meta = ObjectMeta(json: object["metadata"] ?? .null)
                guard meta.ownerReferences.contains(where: { $0.uid == uid }), let name = meta.name else { continue }
                do throws(APIError) {
                    _ = try await deleteAdmitted(
                        other, namespace: namespace, name: name, user: Self.garbageCollector, dryRun: false,
                        options: [
                            "kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1", "propagationPolicy": "Background",
                        ]
                    ) { now throws(APIError) in
                        guard let now else { throw APIError.notFound(other, name) }
                        return now
                    }
                } catch {
                    logger.warning(
                        "garbage collection of \(other.qualifiedName) \(namespace)/\(name) refused: \(error.status.message ?? "")"
                    )
                }
            }
        }
    }

    /// `DELETE` on a collection: each selected object deleted through
    /// admission; the first refusal ends it (those before stay deleted).
    func deleteCollection(
        _ resource: ServedResource,
        namespace: String?,
        query: QueryParameters,
        body: JSON?,
        user: APIUser,
        dryRun: Bool
    ) async throws(APIError) -> JSON {
        let dryRun = dryRun || Self.asksDryRun(body)
        let filter = try ObjectFilter(query)
        let options = AdmissionReviewRequest.options(.delete, query: query, deleteBody: body)
        var deleted: [JSON] = []
        for (_, object) in store.list(resource.qualifiedName, namespace: namespace).items where filter.matches(object) {
            guard let name = ObjectMeta(json: object["metadata"] ?? .null).name else { continue }
            do throws(APIError) {
                deleted.append(
                    try await deleteAdmitted(
                        resource, namespace: namespace, name: name, user: user, dryRun: dryRun, options: options
                    ) { now throws(APIError) in
                        guard let now else { throw APIError.notFound(resource, name) }
                        return now
                    })
            } catch  where error.status.reason == "NotFound" {
                continue
            }
        }
        return [
            "kind": .string(resource.type.kind + "List"), "apiVersion": .string(resource.type.apiVersion),
            "metadata": ["resourceVersion": .string(String(store.revision))], "items": .array(deleted),
        ]
    }
}
