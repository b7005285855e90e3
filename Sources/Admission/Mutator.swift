public import KubeAPI
public import Placement
public import PlacementAPI

/// `/mutate`: places a root and writes its leaves before answering.
///
/// Services and existing leaves come from the informer cache; the only I/O
/// is the leaf writes. What was written before a failure stays: the status
/// loop converges it (a root whose create was refused leaves orphans it
/// collects).
public struct Mutator: Sendable {
    public let reader: (any PlacementReader)?
    public let writer: LeafWriter?
    /// Told of each root change admitted with its leaves written: the
    /// start of the time until Envoy routes it.
    public var onRootAdmitted: (@Sendable (RootKind, ObjectKey) -> Void)?

    /// Both nil without an API server: roots are then refused, since
    /// placement cannot be decided or written.
    public init(reader: (any PlacementReader)?, writer: LeafWriter?) {
        self.reader = reader
        self.writer = writer
    }

    public func review(_ review: DecodedReview) async -> AdmissionResponse {
        let request = review.request
        guard let kind = review.rootKind, request.subResource == nil else { return .allowed(uid: review.uid) }
        let object = request.operation == .delete ? request.oldObject : request.object
        guard let root = object, !RootKind.isLeaf(root) else { return .allowed(uid: review.uid) }
        guard let reader, let writer else {
            return .denied(
                uid: review.uid, code: 503,
                message: "kcp-ingress cannot place \(kind.type.kind.lowercased()) objects: it runs without an API "
                    + "server (no -kubeconfig, KUBECONFIG, in-cluster service account or ~/.kube/config)",
                reason: "ServiceUnavailable")
        }
        let key = ObjectKey(of: root)
        switch request.operation {
        case .create?, .update?:
            let placement = Placement.decide(root: root, kind: kind, service: reader.service)
            if key.name.isEmpty {
                // generateName: the name, and so the leaves' names, are chosen after mutating admission.
                return .allowed(
                    uid: review.uid, patch: placement.rootPatch,
                    warnings: placement.warnings + [
                        "\(kind.type.kind.lowercased()) has no name yet (generateName): its leaves are written by the status loop"
                    ])
            }
            let plan = LeafPlan(
                desired: placement.leaves,
                existing: existingLeaves(of: root, old: request.oldObject, kind, keeping: placement.clusters),
                kind: kind)
            if request.dryRun {
                return .allowed(
                    uid: review.uid, patch: placement.rootPatch, warnings: placement.warnings + Self.preview(plan, kind)
                )
            }
            let failures = await writer.apply(plan, kind: kind)
            guard failures.isEmpty else { return Self.refusal(review, failures) }
            onRootAdmitted?(kind, key)
            return .allowed(uid: review.uid, patch: placement.rootPatch, warnings: placement.warnings)
        case .delete?:
            // kube-apiserver refuses any patch on DELETE.
            let plan = LeafPlan(
                desired: [], existing: existingLeaves(of: root, old: root, kind, keeping: []), kind: kind)
            if request.dryRun { return .allowed(uid: review.uid, warnings: Self.preview(plan, kind)) }
            writer.deletingRoots.insert(key)
            let failures = await writer.apply(plan, kind: kind)
            guard failures.isEmpty else {
                // The root stays: the status loop may write its leaves back.
                writer.deletingRoots.remove(key)
                return Self.refusal(review, failures)
            }
            return .allowed(uid: review.uid)
        default:
            return .allowed(uid: review.uid)
        }
    }

    /// The root's leaves as the informer cache knows them, and those its
    /// stored version records (`kcp.dev/clusters`) that the cache has not
    /// seen yet: a leaf written by the previous review may still be on its
    /// way to the cache, and must not be forgotten when it is to go. Those
    /// are named, not read: deleting them needs no more. (Those on clusters
    /// the root `keeps` go the create path, which copes with a leaf that
    /// exists.)
    private func existingLeaves(of root: JSON, old: JSON?, _ kind: RootKind, keeping: [String]) -> [JSON] {
        let key = ObjectKey(of: root)
        var leaves = reader?.leaves(of: key, kind: kind) ?? []
        let known = Set(leaves.map { ObjectKey(of: $0).name })
        for cluster in old.map(RootPatch.recordedClusters) ?? [] where !keeping.contains(cluster) {
            let stand = Leaf(of: root, cluster: cluster)
            guard !known.contains(stand.name) else { continue }
            var named = JSON.object(JSONObject())
            named["metadata"] = ["name": .string(stand.name), "namespace": .string(key.namespace)]
            named["metadata"]?["labels"] = .object(JSONObject([(PlacementLabels.cluster, .string(cluster))]))
            leaves.append(named)
        }
        return leaves
    }

    /// What a dry run would write, one warning per leaf.
    static func preview(_ plan: LeafPlan, _ kind: RootKind) -> [String] {
        let noun = kind.type.kind.lowercased()
        func cluster(_ object: JSON) -> String {
            object["metadata"]?["labels"]?[PlacementLabels.cluster]?.stringValue ?? "?"
        }
        return
            (plan.creates.map { "would create \(noun) \($0.name) for cluster \($0.cluster)" }
            + plan.updates.map { "would update \(noun) \($0.leaf.name) for cluster \($0.leaf.cluster)" }
            + plan.deletes.map { "would delete \(noun) \(ObjectKey(of: $0).name) for cluster \(cluster($0))" }
            + plan.handingOver.map {
                "would keep \(noun) \(ObjectKey(of: $0).name) on cluster \(cluster($0)) until the new clusters route"
            })
            .map(Placement.shortened)
    }

    /// A denial the client can act on: which leaves and why, and that a retry is safe.
    static func refusal(_ review: DecodedReview, _ failures: [LeafWriteFailure]) -> AdmissionResponse {
        let detail = failures.map(\.description).joined(separator: "; ")
        return .denied(
            uid: review.uid, code: 503,
            message: "kcp-ingress could not write the leaves of this object, so it was not admitted; retry: \(detail)",
            reason: "ServiceUnavailable")
    }
}
