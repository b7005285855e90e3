public import KubeAPI
public import Placement

/// `/validate`: decides from the request and the informer cache alone, with
/// no I/O, so it stays fast and never fails for want of an API server.
public struct Validator: Sendable {
    public let settings: AdmissionSettings
    /// The informer cache; nil without an API server (hosts then go unchecked
    /// across namespaces).
    public let reader: (any PlacementReader)?

    public init(settings: AdmissionSettings, reader: (any PlacementReader)?) {
        self.settings = settings
        self.reader = reader
    }

    public func review(_ review: DecodedReview) -> AdmissionResponse {
        let request = review.request
        guard let kind = review.rootKind else { return .allowed(uid: review.uid) }
        let object = request.object
        let old = request.oldObject
        if object.map(RootKind.isLeaf) == true || old.map(RootKind.isLeaf) == true {
            return leafVerdict(review, kind: kind, leaf: (old ?? object)!)
        }
        guard request.operation == .create || request.operation == .update, request.subResource == nil,
            let root = object
        else { return .allowed(uid: review.uid) }

        var problems = RootValidation.problems(of: root, kind: kind)
        if problems.isEmpty, let claim = conflictingClaim(of: root, kind: kind) { problems.append(claim) }
        guard problems.isEmpty else {
            let name = ObjectKey(of: root).name.isEmpty ? "" : " \(ObjectKey(of: root).name)"
            return .denied(
                uid: review.uid, code: 422,
                message: "\(kind.type.kind)\(name) is invalid: \(problems.joined(separator: "; "))", reason: "Invalid")
        }
        return .allowed(uid: review.uid)
    }

    /// Only kcp-ingress itself changes leaves; syncers may write their
    /// status and their gateway addresses annotation.
    private func leafVerdict(_ review: DecodedReview, kind: RootKind, leaf: JSON) -> AdmissionResponse {
        let request = review.request
        if request.username == settings.controllerUsername { return .allowed(uid: review.uid) }
        if request.operation == .update, !settings.syncerGroups.isDisjoint(with: request.groups),
            request.subResource == "status"
                || Self.onlyGatewayAddressesDiffer(request.oldObject, request.object)
        {
            return .allowed(uid: review.uid)
        }
        let meta = ObjectMeta(json: leaf["metadata"] ?? [:])
        let root = meta.annotations[PlacementLabels.ownedByAnnotation] ?? meta.labels[PlacementLabels.ownedBy] ?? "?"
        let cluster = meta.labels[PlacementLabels.cluster] ?? "?"
        let name = meta.name ?? request.name ?? ""
        return .denied(
            uid: review.uid, code: 403,
            message:
                "\(kind.type.kind.lowercased()) \(name) is managed by kcp-ingress: it is the leaf of \(kind.type.kind.lowercased()) "
                + "\(root) for cluster \(cluster); change the root instead",
            reason: "Forbidden")
    }

    /// Whether `new` is `old` with another gateway addresses annotation and
    /// nothing else changed (what the API server itself sets aside).
    static func onlyGatewayAddressesDiffer(_ old: JSON?, _ new: JSON?) -> Bool {
        guard let old, let new else { return false }
        let annotation = PlacementLabels.gatewayAddressesAnnotation
        guard old["metadata"]?["annotations"]?[annotation] != new["metadata"]?["annotations"]?[annotation] else {
            return false
        }
        func comparable(_ object: JSON) -> JSON {
            var object = object
            for field in ["resourceVersion", "managedFields", "generation"] { object["metadata"]?[field] = nil }
            object["metadata"]?["annotations"]?[PlacementLabels.gatewayAddressesAnnotation] = nil
            // An annotations object left empty by the removal counts as none.
            if object["metadata"]?["annotations"]?.objectValue?.isEmpty == true {
                object["metadata"]?["annotations"] = nil
            }
            object["status"] = nil
            return object
        }
        return comparable(old) == comparable(new)
    }

    /// A host of `root` already claimed by a root in another namespace or
    /// workspace: the first claim holds, as OpenShift's router decides.
    private func conflictingClaim(of root: JSON, kind: RootKind) -> String? {
        guard let reader else { return nil }
        let key = ObjectKey(of: root)
        for host in Set(kind.hosts(of: root).map(PlacementIndex.normalizedHost)).sorted() {
            for claim in reader.roots(claiming: host) {
                let other = ObjectKey(of: claim.object)
                guard other.scope != key.scope else { continue }
                return "host \(host) is already claimed by \(claim.kind.type.kind.lowercased()) "
                    + "\(other.description); a host belongs to one namespace, the first to claim it"
            }
        }
        return nil
    }
}
