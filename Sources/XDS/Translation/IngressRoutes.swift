import KubeAPI

/// An Ingress's routes (networking.k8s.io/v1 semantics).
///
/// Order: routes of rules that name a host before those of rules that do
/// not (the host is chosen before the path); then `Exact` before prefixes
/// and longer paths before shorter ones, which is the Ingress rule "the
/// longest matching path wins, Exact over Prefix on a tie" expressed as
/// Envoy's first match; the default backend last, as a catch-all `/`.
enum IngressRoutes {
    /// `hosts`: the hosts the root keeps, normalised. A rule for a host the
    /// root lost (or never validly named) gives no route.
    static func routes(of root: JSON, hosts: [String], resolver: BackendResolver) -> [EnvoyRoute] {
        let ingress = Ingress(json: root)
        let kept = Set(hosts)
        var ranked: [(rank: Rank, route: EnvoyRoute)] = []
        for rule in ingress.rules {
            var authority: HeaderMatch?
            if let written = rule.host, !written.isEmpty {
                guard let host = HostDomains.normalized(written), kept.contains(host) else { continue }
                // Needed when the virtual host also serves other hosts, or
                // to hold a wildcard to one DNS label.
                if kept.count > 1 || HostDomains.isWildcard(host) {
                    authority = HostDomains.authorityMatch(for: [host])
                }
            }
            for path in rule.paths {
                guard let (match, rank) = pathMatch(path, hosted: rule.host.map { !$0.isEmpty } ?? false) else {
                    continue
                }
                let action = resolver.action(for: [(path.backend?.serviceName, 1)])
                let route = EnvoyRoute(
                    match: RouteMatch(path: match, headers: authority.map { [$0] } ?? []), action: action)
                ranked.append((rank, route))
            }
        }
        var routes = ranked.sortedByPrecedence(\.rank).map(\.route)
        if let fallback = ingress.defaultBackend {
            let action = resolver.action(for: [(fallback.serviceName, 1)])
            routes.append(EnvoyRoute(match: RouteMatch(path: .prefix("/")), action: action))
        }
        return routes
    }

    struct Rank: Comparable {
        var hosted: Bool
        var exact: Bool
        var length: Int

        static func < (lhs: Rank, rhs: Rank) -> Bool {
            (lhs.hosted ? 1 : 0, lhs.exact ? 1 : 0, lhs.length) < (rhs.hosted ? 1 : 0, rhs.exact ? 1 : 0, rhs.length)
        }
    }

    /// `Exact` → the exact path; `Prefix` → an element-wise prefix;
    /// `ImplementationSpecific` (and a missing type) → a plain string
    /// prefix. A type this version does not know gives no route rather
    /// than a guess.
    private static func pathMatch(_ path: HTTPIngressPath, hosted: Bool) -> (PathMatch, Rank)? {
        let value = path.path.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        let match: PathMatch
        switch path.pathType {
        case .exact?: match = .exact(value)
        case .prefix?: match = PathConversion.elementPrefix(value)
        case .implementationSpecific?, nil: match = .prefix(value)
        case .other?: return nil
        }
        let (exact, length): (Bool, Int)
        switch match {
        case .exact(let text): (exact, length) = (true, text.utf8.count)
        case .prefix("/"): (exact, length) = (false, 0)
        case .prefix(let text), .pathSeparatedPrefix(let text), .regex(let text):
            (exact, length) = (false, text.utf8.count)
        }
        return (match, Rank(hosted: hosted, exact: exact, length: length))
    }
}
