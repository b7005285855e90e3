import KubeAPI
import Placement

/// A Route's one route (route.openshift.io/v1 semantics): `spec.path` as a
/// plain string prefix, as OpenShift's router matches it (default `/`);
/// traffic split by the weights of `spec.to` and `spec.alternateBackends`.
enum OpenShiftRoutes {
    /// OpenShift's default weight of a backend that gives none.
    static let defaultWeight: Int64 = 100

    /// `hosts`: the hosts the root keeps; a wildcard one (the Subdomain
    /// policy) matches exactly one DNS label, as OpenShift's router does.
    static func routes(of root: JSON, hosts: [String], resolver: BackendResolver) -> [EnvoyRoute] {
        let route = Route(json: root)
        let targets = [route.to].compactMap { $0 } + route.alternateBackends
        let backends = targets.map { target in
            (service: target.kind == "Service" ? target.name : nil, weight: target.weight ?? defaultWeight)
        }
        let path = route.path.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        let headers = hosts.filter(HostNames.isWildcard).map(HostDomains.authorityMatch(for:))
        return [
            EnvoyRoute(match: RouteMatch(path: .prefix(path), headers: headers), action: resolver.action(for: backends))
        ]
    }
}
