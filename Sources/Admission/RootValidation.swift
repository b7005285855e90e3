import KubeAPI
import Placement

/// What a root must satisfy before it is placed: hosts kube-apiserver and
/// Envoy both accept, paths that begin with `/`, known path types, and, for
/// an HTTPRoute, backends in its own namespace. Pure: no look-ups.
enum RootValidation {
    /// Every problem of `root`, each naming its field; empty when valid.
    static func problems(of root: JSON, kind: RootKind) -> [String] {
        switch kind {
        case .ingress: ingressProblems(Ingress(json: root))
        case .httpRoute: httpRouteProblems(HTTPRoute(json: root))
        case .route: routeProblems(Route(json: root))
        }
    }

    private static func ingressProblems(_ ingress: Ingress) -> [String] {
        var problems: [String] = []
        for (r, rule) in ingress.rules.enumerated() {
            if let host = rule.host { problems += hostProblem(host, field: "spec.rules[\(r)].host") }
            for (p, path) in rule.paths.enumerated() {
                let field = "spec.rules[\(r)].http.paths[\(p)]"
                switch path.pathType {
                case nil: problems.append("\(field).pathType: Required value")
                case .other(let value)?:
                    problems.append(
                        "\(field).pathType: Unsupported value \"\(value)\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\""
                    )
                default: break
                }
                if let value = path.path, !value.hasPrefix("/") {
                    problems.append("\(field).path: Invalid value \"\(value)\": must be an absolute path")
                } else if path.path == nil, path.pathType == .exact || path.pathType == .prefix {
                    problems.append("\(field).path: Required value: must be specified for pathType Exact and Prefix")
                }
            }
        }
        for (t, tls) in (ingress.json.field("spec", "tls")?.arrayValue ?? []).enumerated() {
            for (h, host) in (tls["hosts"]?.arrayValue ?? []).enumerated() {
                problems += hostProblem(host.stringValue ?? "", field: "spec.tls[\(t)].hosts[\(h)]")
            }
        }
        return problems
    }

    private static func httpRouteProblems(_ route: HTTPRoute) -> [String] {
        var problems: [String] = []
        for (h, host) in route.hostnames.enumerated() {
            problems += hostProblem(host, field: "spec.hostnames[\(h)]")
        }
        let namespace = route.metadata.namespace
        for (r, rule) in route.rules.enumerated() {
            for (m, match) in rule.matches.enumerated() {
                let field = "spec.rules[\(r)].matches[\(m)].path"
                switch match.pathType {
                case "PathPrefix", "Exact":
                    if !match.pathValue.hasPrefix("/") {
                        problems.append("\(field).value: Invalid value \"\(match.pathValue)\": must begin with '/'")
                    }
                case "RegularExpression":
                    if match.pathValue.isEmpty { problems.append("\(field).value: Required value") }
                default:
                    problems.append(
                        "\(field).type: Unsupported value \"\(match.pathType)\": supported values: \"Exact\", \"PathPrefix\", \"RegularExpression\""
                    )
                }
            }
            for (b, ref) in rule.backendRefs.enumerated()
            where ref.group.isEmpty && ref.kind == "Service" && !ref.isService(in: namespace) {
                problems.append(
                    "spec.rules[\(r)].backendRefs[\(b)]: Service \(ref.namespace ?? "")/\(ref.name ?? "") is in another "
                        + "namespace; cross-namespace backends need a ReferenceGrant, which kcp-ingress does not support yet"
                )
            }
        }
        return problems
    }

    private static func routeProblems(_ route: Route) -> [String] {
        var problems: [String] = []
        // An empty host is allowed: the route then answers on its status host.
        if let host = route.host, !host.isEmpty { problems += hostProblem(host, field: "spec.host") }
        if let path = route.path, !path.isEmpty, !path.hasPrefix("/") {
            problems.append("spec.path: Invalid value \"\(path)\": must begin with '/'")
        }
        return problems
    }

    private static func hostProblem(_ host: String, field: String) -> [String] {
        NameValidation.hostError(host).map { ["\(field): Invalid value \"\(host)\": \($0)"] } ?? []
    }
}
