public import KubeAPI

/// One leaf a root should have: a copy of the root for one physical cluster.
public struct Leaf: Hashable, Sendable {
    public var cluster: String
    public var object: JSON

    public var name: String { object["metadata"]?["name"]?.stringValue ?? "" }
    public var key: ObjectKey { ObjectKey(of: object) }

    /// The leaf of `root` on `cluster`: every field of the root, including
    /// those no typed view models, except what the API server owns
    /// (resourceVersion, uid, timestamps, generation, managedFields), what
    /// ties an object to its own lifecycle (ownerReferences, finalizers) and
    /// the status, which the cluster's syncer reports. Named with
    /// `LeafNames`, labelled with its cluster and its root, and annotated
    /// with the root's full name and, when the root has one yet, its uid.
    public init(of root: JSON, cluster: String) {
        var object = root
        object["status"] = nil
        var metadata = object["metadata"] ?? .object(JSONObject())
        let rootMeta = ObjectMeta(json: metadata)
        let rootName = rootMeta.name ?? ""
        for field in Self.serverOwnedMetadata { metadata[field] = nil }

        var meta = ObjectMeta(json: metadata)
        meta.name = LeafNames.leafName(root: rootName, cluster: cluster)
        // Key by key, new keys in sorted order: a root's other labels and
        // annotations (kubectl's last-applied-configuration among them) are
        // neither hashed nor moved.
        meta.setLabel(PlacementLabels.cluster, to: cluster)
        meta.setLabel(PlacementLabels.ownedBy, to: LeafNames.labelValue(rootName))
        meta.setAnnotation(PlacementLabels.clustersAnnotation, to: nil)
        meta.setAnnotation(PlacementLabels.gatewayAddressesAnnotation, to: nil)
        meta.setAnnotation(PlacementLabels.ownedByAnnotation, to: rootName)
        meta.setAnnotation(PlacementLabels.ownerUIDAnnotation, to: rootMeta.uid.flatMap { $0.isEmpty ? nil : $0 })
        object["metadata"] = meta.json
        self.cluster = cluster
        self.object = object
    }

    /// Metadata a leaf never copies from its root.
    static let serverOwnedMetadata = [
        "resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "ownerReferences",
        "finalizers", "generateName", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink",
    ]

    /// Whether `existing` (a leaf as stored) already says what this leaf
    /// says: the same spec, labels and annotations, and every other field
    /// this leaf sets. Fields the API server or the syncer own (status, the
    /// gateway addresses annotation, resourceVersion and the like) are not
    /// compared, so a leaf that only differs there needs no write.
    public func isSatisfied(by existing: JSON) -> Bool {
        guard case .object(let wanted) = object, case .object(let stored) = existing else { return false }
        for (field, value) in wanted where field != "metadata" {
            guard stored[field] == value else { return false }
        }
        for (field, _) in stored where !["metadata", "status"].contains(field) && wanted[field] == nil {
            return false
        }
        let have = ObjectMeta(json: existing["metadata"] ?? [:])
        let want = ObjectMeta(json: object["metadata"] ?? [:])
        var annotations = have.annotations
        annotations[PlacementLabels.gatewayAddressesAnnotation] = nil
        return have.labels == want.labels && annotations == want.annotations
    }

    /// This leaf written over `existing`: the stored object's
    /// resourceVersion (for optimistic concurrency), status and gateway
    /// addresses annotation (the syncer's) kept, everything else as this
    /// leaf says.
    public func replacing(_ existing: JSON) -> JSON {
        var updated = object
        updated["metadata"]?["resourceVersion"] = existing["metadata"]?["resourceVersion"]
        updated["metadata"]?["uid"] = existing["metadata"]?["uid"]
        updated["status"] = existing["status"]
        if let addresses = existing["metadata"]?["annotations"]?[PlacementLabels.gatewayAddressesAnnotation] {
            updated["metadata"]?["annotations"]?[PlacementLabels.gatewayAddressesAnnotation] = addresses
        }
        return updated
    }
}
