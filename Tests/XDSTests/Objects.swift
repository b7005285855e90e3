import KubeAPI
import Placement
import XDS

/// Roots, leaves and Services for the translation tables, written as JSON
/// the way a user and a syncer would write them.
enum Objects {
    static func parse(_ text: String) -> JSON {
        // The objects below are valid JSON; a typo should fail loudly.
        try! JSON(parsing: Array(text.utf8))
    }

    static let apiVersions: [RootKind: String] = [
        .ingress: "networking.k8s.io/v1", .httpRoute: "gateway.networking.k8s.io/v1", .route: "route.openshift.io/v1",
    ]

    /// A root of `kind` with `spec` (JSON text), created at `created`.
    static func root(
        _ kind: RootKind, _ name: String, namespace: String = "shop", workspace: String? = nil,
        created: String? = "2026-11-20T10:00:00Z", spec: String
    ) -> JSON {
        var object = parse(#"{"apiVersion":"\#(apiVersions[kind]!)","kind":"\#(kind.type.kind)","spec":\#(spec)}"#)
        var meta = ObjectMeta()
        meta.name = name
        meta.namespace = namespace
        meta.creationTimestamp = created
        if let workspace { meta.annotations = ["kcp.io/cluster": workspace] }
        object["metadata"] = meta.json
        return object
    }

    static func service(_ name: String, namespace: String = "shop", cluster: String, workspace: String? = nil) -> JSON {
        var service = Service(name: name, namespace: namespace)
        service.metadata.labels = [PlacementLabels.cluster: cluster]
        if let workspace { service.metadata.annotations = ["kcp.io/cluster": workspace] }
        return service.json
    }

    /// `root`'s leaf on `cluster` as a syncer leaves it: `status` (JSON
    /// text) copied back, `annotations` added.
    static func leaf(of root: JSON, cluster: String, status: String? = nil, annotations: [String: String] = [:])
        -> JSON
    {
        var object = Leaf(of: root, cluster: cluster).object
        if let status { object["status"] = parse(status) }
        var meta = ObjectMeta(json: object["metadata"]!)
        meta.annotations = meta.annotations.merging(annotations) { $1 }
        object["metadata"] = meta.json
        return object
    }

    /// An Ingress leaf's status: one load balancer entry per IP.
    static func loadBalancer(_ ips: String...) -> String {
        #"{"loadBalancer":{"ingress":["# + ips.map { #"{"ip":"\#($0)"}"# }.joined(separator: ",") + "]}}"
    }

    /// The Services of the tables: `web` on east, `api` on west, `docs` on north.
    static let services = [
        service("web", cluster: "east"), service("api", cluster: "west"), service("docs", cluster: "north"),
    ]

    /// Gateway addresses of the three clusters, as their Ingress leaves report them.
    static let gatewayIP = ["east": "192.0.2.1", "west": "192.0.2.2", "north": "192.0.2.3"]

    static func cluster(_ physical: String) -> String { "gateway_\(gatewayIP[physical]!):80" }

    /// `root` with an Ingress leaf on each of `clusters` reporting its gateway IP.
    static func ingressSource(_ root: JSON, on clusters: [String]) -> RootSource {
        RootSource(
            kind: .ingress, object: root,
            leaves: clusters.map { leaf(of: root, cluster: $0, status: loadBalancer(gatewayIP[$0]!)) })
    }

    static func translate(
        _ roots: [RootSource], services: [JSON] = Objects.services,
        settings: TranslationSettings = TranslationSettings()
    ) -> Translation {
        let byKey = Dictionary(uniqueKeysWithValues: services.map { (ObjectKey(of: $0), $0) })
        return Translator.translate(roots: roots, service: { byKey[$0] }, settings: settings)
    }
}

extension Translation {
    /// The virtual host of the root named `name` (first match).
    func virtualHost(_ name: String) -> EnvoyVirtualHost? {
        table.virtualHosts.first { $0.root.key.name == name }
    }
}

extension RouteAction {
    /// Weight by gateway cluster name.
    var weights: [String: UInt32] {
        guard case .weightedClusters(let clusters) = self else { return [:] }
        return Dictionary(uniqueKeysWithValues: clusters.map { ($0.cluster, $0.weight) })
    }
}
