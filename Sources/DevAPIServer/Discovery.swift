import KubeAPI

/// The discovery documents kubectl reads to find resources: `/version`,
/// `/api`, `/api/v1`, `/apis` and `/apis/GROUP/VERSION`.
enum Discovery {
    static func version() -> JSON {
        [
            "major": "1", "minor": "32", "gitVersion": "v1.32.0-kcp-ingress-dev", "gitCommit": "",
            "gitTreeState": "clean", "buildDate": "1970-01-01T00:00:00Z", "goVersion": "n/a", "compiler": "swift",
            "platform": "linux/amd64",
        ]
    }

    static func coreVersions() -> JSON {
        ["kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []]
    }

    static func groups() -> JSON {
        let groups = Set(ServedResource.all.map(\.type.group).filter { !$0.isEmpty }).sorted()
        return [
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": .array(
                groups.map { group in
                    let version = ServedResource.all.first { $0.type.group == group }!.type.version
                    let groupVersion: JSON = [
                        "groupVersion": .string("\(group)/\(version)"), "version": .string(version),
                    ]
                    return ["name": .string(group), "versions": [groupVersion], "preferredVersion": groupVersion]
                }),
        ]
    }

    /// The APIResourceList of one group version, or nil if none is served there.
    static func resources(groupVersion: String) -> JSON? {
        guard let served = ServedResource.byGroupVersion[groupVersion] else { return nil }
        var resources: [JSON] = []
        for resource in served {
            let verbs: JSON = ["create", "delete", "get", "list", "patch", "update", "watch"]
            resources.append([
                "name": .string(resource.type.resource), "singularName": .string(resource.singular),
                "namespaced": .bool(resource.type.namespaced), "kind": .string(resource.type.kind), "verbs": verbs,
                "shortNames": .array(resource.shortNames.map(JSON.string)),
            ])
            if resource.hasStatus {
                resources.append([
                    "name": .string("\(resource.type.resource)/status"), "singularName": "",
                    "namespaced": .bool(resource.type.namespaced), "kind": .string(resource.type.kind),
                    "verbs": ["get", "patch", "update"],
                ])
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion),
            "resources": .array(resources),
        ]
    }
}
