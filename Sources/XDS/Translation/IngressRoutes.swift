import KubeAPI
import Placement

/// An Ingress's routes (networking.k8s.io/v1 semantics).
///
/// Order: the host is chosen before the path, so routes of rules naming an
/// exact host come first, then those of wildcard hosts (an exact host
/// outranks a wildcard that also covers it), then those of rules naming
/// none; within each, `Exact` before prefixes
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
            var hostRank = HostRank.none
            if let written = rule.host, !written.isEmpty {
                guard let host = HostNames.normalized(written), kept.contains(host) else { continue }
                hostRank = HostNames.isWildcard(host) ? .wildcard : .exact
                // Needed when the virtual host also serves other hosts, or
                // to hold a wildcard to one DNS label.
                if kept.count > 1 || HostNames.isWildcard(host) {
                    authority = HostDomains.authorityMatch(for: host)
                }
            }
            for path in rule.paths {
                guard let (match, rank) = pathMatch(path, host: hostRank) else {
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

    /// What a rule's host says, least specific first.
    enum HostRank: Int, Comparable {
        case none, wildcard, exact

        static func < (lhs: HostRank, rhs: HostRank) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    struct Rank: Comparable {
        var host: HostRank
        var exact: Bool
        var length: Int

        static func < (lhs: Rank, rhs: Rank) -> Bool {
            (lhs.host.rawValue, lhs.exact ? 1 : 0, lhs.length) < (rhs.host.rawValue, rhs.exact ? 1 : 0, rhs.length)
        }
    }

    /// `Exact` → the exact path; `Prefix` → an element-wise prefix;
    /// `ImplementationSpecific` (and a missing type) → a plain string
    /// prefix. A type this version does not know gives no route rather
    /// than a guess.
    private static func pathMatch(_ path: HTTPIngressPath, host: HostRank) -> (PathMatch, Rank)? {
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
        return (match, Rank(host: host, exact: exact, length: length))
    }
}
