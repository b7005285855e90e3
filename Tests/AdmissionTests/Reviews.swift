import KubeAPI
import Placement

@testable import Admission

/// AdmissionReviews shaped as kube-apiserver sends them.
enum Reviews {
    static func review(
        apiVersion: String = "admission.k8s.io/v1", operation: String = "CREATE", kind: RootKind = .ingress,
        object: JSON?, oldObject: JSON? = nil, dryRun: Bool = false, subResource: String? = nil,
        username: String = "admin", groups: [String] = ["system:masters", "system:authenticated"]
    ) -> [UInt8] {
        let meta = ObjectMeta(json: (object ?? oldObject)?["metadata"] ?? [:])
        var request: JSON = [
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": [
                "group": .string(kind.type.group), "version": .string(kind.type.version),
                "kind": .string(kind.type.kind),
            ],
            "resource": [
                "group": .string(kind.type.group), "version": .string(kind.type.version),
                "resource": .string(kind.type.resource),
            ],
            "name": .string(meta.name ?? ""), "namespace": .string(meta.namespace ?? ""),
            "operation": .string(operation),
            "userInfo": ["username": .string(username), "groups": .array(groups.map(JSON.string))],
            "object": object ?? .null, "oldObject": oldObject ?? .null, "dryRun": .bool(dryRun),
        ]
        if let subResource { request["subResource"] = .string(subResource) }
        let review: JSON = ["apiVersion": .string(apiVersion), "kind": "AdmissionReview", "request": request]
        return review.bytes
    }

    static func decoded(_ bytes: [UInt8]) -> DecodedReview {
        try! DecodedReview(body: bytes)
    }

    static func parse(_ text: String) -> JSON { try! JSON(parsing: Array(text.utf8)) }

    static let ingress = parse(
        """
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"front","namespace":"shop"},
         "spec":{"rules":[{"host":"front.example.com","http":{"paths":[
           {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}},
           {"path":"/api","pathType":"Exact","backend":{"service":{"name":"api","port":{"number":80}}}}]}}]}}
        """)

    static func service(_ name: String, namespace: String = "shop", cluster: String?) -> JSON {
        var service = Service(name: name, namespace: namespace)
        if let cluster { service.metadata.labels = [PlacementLabels.cluster: cluster] }
        return service.json
    }
}

/// A reader over plain arrays, indexed as the informers' stores index.
struct ArrayReader: PlacementReader {
    var services: [JSON] = []
    var roots: [RootKind: [JSON]] = [:]

    func service(_ key: ObjectKey) -> JSON? {
        services.first { ObjectKey(of: $0) == key }
    }

    func leaves(of root: ObjectKey, kind: RootKind) -> [JSON] {
        (roots[kind] ?? []).filter { PlacementIndex.ownedBy.1($0).contains(root.description) }
    }

    func roots(claiming host: String) -> [(kind: RootKind, object: JSON)] {
        RootKind.allCases.flatMap { kind in
            (roots[kind] ?? []).filter { PlacementIndex.hosts.1($0).contains(host) }.map { (kind, $0) }
        }
    }
}
