public import KubeAPI

extension ResourceType {
    /// `ingresses.networking.k8s.io`, or `services` in the core group: the
    /// store's name for a resource.
    var qualifiedName: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// A kind this server stores and serves, with what discovery says of it.
public struct ServedResource: Sendable {
    public let type: ResourceType
    public let singular: String
    public let shortNames: [String]
    /// Whether it has a `status` subresource (main-resource writes then keep the stored status).
    public let hasStatus: Bool

    /// The kinds of this project, and the ones kubectl and the controller need beside them.
    public static let all: [ServedResource] = [
        ServedResource(type: Namespace.type, singular: "namespace", shortNames: ["ns"], hasStatus: true),
        ServedResource(type: Service.type, singular: "service", shortNames: ["svc"], hasStatus: true),
        ServedResource(type: Ingress.type, singular: "ingress", shortNames: ["ing"], hasStatus: true),
        ServedResource(type: HTTPRoute.type, singular: "httproute", shortNames: [], hasStatus: true),
        ServedResource(type: Route.type, singular: "route", shortNames: [], hasStatus: true),
        ServedResource(type: Lease.type, singular: "lease", shortNames: [], hasStatus: false),
        ServedResource(type: Secret.type, singular: "secret", shortNames: [], hasStatus: false),
        ServedResource(
            type: MutatingWebhookConfiguration.type, singular: "mutatingwebhookconfiguration", shortNames: [],
            hasStatus: false),
        ServedResource(
            type: ValidatingWebhookConfiguration.type, singular: "validatingwebhookconfiguration", shortNames: [],
            hasStatus: false),
    ]

    /// `group/version` → the resources served there.
    static let byGroupVersion: [String: [ServedResource]] = Dictionary(grouping: all) { $0.type.apiVersion }

    static func find(group: String, version: String, resource: String) -> ServedResource? {
        all.first { $0.type.group == group && $0.type.version == version && $0.type.resource == resource }
    }

    /// `ingresses.networking.k8s.io`, as error messages name resources.
    var qualifiedName: String { type.qualifiedName }
}
