import KubeAPI

/// The OpenAPI v3 documents kubectl reads before it writes: which group
/// versions exist, and for each collection that its create and update
/// operations take `fieldValidation`, so that kubectl asks the server to
/// validate. Like a CustomResourceDefinition that preserves unknown
/// fields, this server has no schemas: it accepts the parameter and keeps
/// every field (it rejects only what is not JSON or breaks the object
/// rules), which is what the documents describe: paths and operations, no
/// component schemas.
enum OpenAPI {
    static func root() -> JSON {
        var paths = JSONObject()
        for groupVersion in ServedResource.byGroupVersion.keys.sorted() {
            let key = groupVersion == "v1" ? "api/v1" : "apis/\(groupVersion)"
            paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash(groupVersion))")]
        }
        return ["paths": .object(paths)]
    }

    /// The document of one group version (`api/v1`, `apis/GROUP/VERSION`).
    static func groupVersion(_ path: String) -> JSON? {
        let groupVersion = path == "api/v1" ? "v1" : String(path.dropFirst("apis/".count))
        guard path == "api/v1" || path.hasPrefix("apis/"), let served = ServedResource.byGroupVersion[groupVersion]
        else {
            return nil
        }
        var paths = JSONObject()
        for resource in served {
            let base = groupVersion == "v1" ? "/api/v1" : "/apis/\(groupVersion)"
            let scope = resource.type.namespaced ? "/namespaces/{namespace}" : ""
            let gvk: JSON = [
                "group": .string(resource.type.group), "version": .string(resource.type.version),
                "kind": .string(resource.type.kind),
            ]
            let parameters: JSON = [
                ["name": "fieldValidation", "in": "query", "schema": ["type": "string"], "uniqueItems": true],
                ["name": "dryRun", "in": "query", "schema": ["type": "string"], "uniqueItems": true],
            ]
            let operation = { (action: String) -> JSON in
                [
                    "parameters": parameters, "responses": [:], "x-kubernetes-action": .string(action),
                    "x-kubernetes-group-version-kind": gvk,
                ]
            }
            paths["\(base)\(scope)/\(resource.type.resource)"] = ["post": operation("post")]
            paths["\(base)\(scope)/\(resource.type.resource)/{name}"] = [
                "put": operation("put"), "patch": operation("patch"),
            ]
        }
        return [
            "openapi": "3.0.0", "info": ["title": "kcp-ingress development API server", "version": "v1.32.0"],
            "paths": .object(paths), "components": ["schemas": [:]],
        ]
    }

    private static func hash(_ text: String) -> String {
        FNV1a.hash32(text).hex
    }
}
