public import KubeAPI

/// The change the webhook makes to a root: its `kcp.dev/clusters`
/// annotation, sorted and comma-separated, removed when there are none.
public enum RootPatch {
    /// The smallest RFC 6902 patch that makes `root`'s annotation say
    /// `clusters`: `add` of `/metadata/annotations` when the root has no
    /// annotations, else `add`, `replace` or `remove` of the one key (`~1`
    /// escaping its `/`); empty when it already says so.
    public static func patch(for root: JSON, clusters: [String]) -> JSONPatch {
        let key = PlacementLabels.clustersAnnotation
        let value = clusters.sorted().joined(separator: ",")
        let annotationsPath = JSONPointer(tokens: ["metadata", "annotations"])
        let keyPath = annotationsPath.appending(key)
        let annotations = root["metadata"]?["annotations"]
        let current = annotations?[key]

        if clusters.isEmpty {
            return current == nil ? JSONPatch() : JSONPatch([.remove(keyPath)])
        }
        guard let annotations, annotations.objectValue != nil else {
            guard root["metadata"]?.objectValue != nil else {
                return JSONPatch([.add(JSONPointer(tokens: ["metadata"]), ["annotations": [key: .string(value)]])])
            }
            // `add` replaces a null or missing member alike.
            return JSONPatch([.add(annotationsPath, [key: .string(value)])])
        }
        switch current {
        case .string(value)?: return JSONPatch()
        case nil: return JSONPatch([.add(keyPath, .string(value))])
        default: return JSONPatch([.replace(keyPath, .string(value))])
        }
    }

    /// The clusters a root's annotation records.
    public static func recordedClusters(of root: JSON) -> [String] {
        guard let value = root["metadata"]?["annotations"]?[PlacementLabels.clustersAnnotation]?.stringValue else {
            return []
        }
        return value.split(separator: ",").map(String.init).filter { !$0.isEmpty }
    }
}
