import KubeAPI

/// An HTTPRoute's routes (gateway.networking.k8s.io/v1 semantics). All of
/// its hostnames share all of its rules, and a wildcard hostname takes any
/// number of labels as Envoy's does, so no `:authority` condition is needed.
///
/// Every match of every rule is one route (a rule without matches matches
/// `/`), ordered as Gateway API's precedence asks and as Envoy Gateway
/// sorts (internal/gatewayapi/sort.go): Exact paths, then regular
/// expressions, then prefixes; longer paths first (the prefix `/` counting
/// as none); then more header matches (the method counts as a `:method`
/// header), more of them exact; then more query matches, more exact.
enum HTTPRouteRoutes {
    static func routes(of root: JSON, resolver: BackendResolver) -> [EnvoyRoute] {
        let route = HTTPRoute(json: root)
        let namespace = route.metadata.namespace
        var ranked: [(rank: Rank, route: EnvoyRoute)] = []
        for rule in route.rules {
            // A reference that is not a Service of this namespace serves no
            // cluster: its share of the weight goes nowhere.
            let backends = rule.backendRefs.map { ref in
                (service: ref.isService(in: namespace) ? ref.name : nil, weight: ref.weight)
            }
            let action = resolver.action(for: backends)
            let matches = rule.matches.isEmpty ? [HTTPRouteMatch(json: [:])] : rule.matches
            for written in matches {
                guard let (match, rank) = routeMatch(written) else { continue }
                ranked.append((rank, EnvoyRoute(match: match, action: action)))
            }
        }
        return ranked.sortedByPrecedence(\.rank).map(\.route)
    }

    struct Rank: Comparable {
        /// Exact 2, RegularExpression 1, PathPrefix 0.
        var pathKind: Int
        var pathLength: Int
        var headers: Int
        var exactHeaders: Int
        var queryParameters: Int
        var exactQueryParameters: Int

        static func < (lhs: Rank, rhs: Rank) -> Bool {
            (lhs.pathKind, lhs.pathLength, lhs.headers, lhs.exactHeaders, lhs.queryParameters, lhs.exactQueryParameters)
                < (
                    rhs.pathKind, rhs.pathLength, rhs.headers, rhs.exactHeaders, rhs.queryParameters,
                    rhs.exactQueryParameters
                )
        }
    }

    /// nil for a path or value type this version does not know: such a
    /// match is left out rather than guessed at.
    static func routeMatch(_ written: HTTPRouteMatch) -> (RouteMatch, Rank)? {
        let value = written.pathValue
        let path: PathMatch
        let pathKind: Int
        switch written.pathType {
        case "Exact": (path, pathKind) = (.exact(value), 2)
        case "RegularExpression": (path, pathKind) = (.regex(value), 1)
        case "PathPrefix": (path, pathKind) = (PathConversion.elementPrefix(value), 0)
        default: return nil
        }
        // Header names are case-insensitive, so Envoy's are lower case.
        guard var headers = stringMatches(written.headers, foldingCase: true),
            let query = stringMatches(written.queryParams, foldingCase: false)
        else { return nil }
        if let method = written.method { headers.append(HeaderMatch(name: ":method", value: .exact(method))) }
        let rank = Rank(
            pathKind: pathKind, pathLength: pathKind == 0 && value == "/" ? 0 : value.utf8.count,
            headers: headers.count, exactHeaders: headers.count(where: { $0.value.isExact }),
            queryParameters: query.count, exactQueryParameters: query.count(where: { $0.value.isExact }))
        return (
            RouteMatch(
                path: path, headers: headers,
                queryParameters: query.map { QueryParameterMatch(name: $0.name, value: $0.value) }),
            rank
        )
    }

    /// `Exact` (the default) or `RegularExpression` matches by name; a name
    /// given twice counts once, the first, as Gateway API says.
    private static func stringMatches(_ entries: [JSON], foldingCase: Bool) -> [HeaderMatch]? {
        var seen = Set<String>()
        var matches: [HeaderMatch] = []
        for entry in entries {
            guard let written = entry["name"]?.stringValue, let value = entry["value"]?.stringValue else { continue }
            let name = foldingCase ? written.lowercased() : written
            guard seen.insert(name).inserted else { continue }
            switch entry["type"]?.stringValue ?? "Exact" {
            case "Exact": matches.append(HeaderMatch(name: name, value: .exact(value)))
            case "RegularExpression": matches.append(HeaderMatch(name: name, value: .regex(value)))
            default: return nil
            }
        }
        return matches
    }
}
