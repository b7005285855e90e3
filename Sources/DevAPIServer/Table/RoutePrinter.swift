import Foundation
import KubeAPI

/// OpenShift's Route printer: where the route is admitted, its path,
/// backends with their share of traffic, target port, TLS termination and
/// wildcard policy. Routes have no Age column there.
enum RoutePrinter {
    static let printer = TablePrinter(
        columns: [
            .name,
            TableColumn("Host/Port", "Host is an alias/DNS that points to the service."),
            TableColumn("Path", "Path that the router watches for, to route traffic for to the service."),
            TableColumn("Services", "The services this route points to, with their weights."),
            TableColumn("Port", "The target port on pods selected by the service this route points to."),
            TableColumn("Termination", "The TLS termination type, and the policy for insecure traffic."),
            TableColumn("Wildcard", "Wildcard policy if any for the route."),
        ]
    ) { route, _ in
        let spec = route["spec"]
        let port: String
        switch spec?["port"]?["targetPort"] {
        case .integer(let number)?: port = String(number)
        case .string(let name)?: port = name
        case nil where spec?["port"] == nil: port = "<all>"
        default: port = "0"
        }
        return [
            .string(route.name), .string(host(route)), .string(spec?["path"]?.stringValue ?? ""),
            .string(backends(spec)), .string(port), .string(termination(spec?["tls"])),
            .string(spec?["wildcardPolicy"]?.stringValue ?? ""),
        ]
    }

    /// The admitted host, or why it is not (Pending, a rejection reason).
    private static func host(_ route: JSON) -> String {
        var host = route["spec"]?["host"]?.stringValue ?? ""
        let ingresses = route["status"]?["ingress"]?.arrayValue
        var matched = false
        var reason = ""
        var admitted = 0
        var errors = 0
        for ingress in ingresses ?? [] {
            let condition = (ingress["conditions"]?.arrayValue ?? []).first { $0["type"] == "Admitted" }
            switch condition?["status"]?.stringValue {
            case "True":
                admitted += 1
                if !matched {
                    let ingressHost = ingress["host"]?.stringValue ?? ""
                    matched = ingressHost == route["spec"]?["host"]?.stringValue ?? ""
                    host = ingressHost
                }
            case "False":
                reason = condition?["reason"]?.stringValue ?? ""
                errors += 1
            default: break
            }
        }
        // Without status.ingress (no router has reported), the spec's host.
        guard ingresses != nil else { return host }
        if admitted == 0, errors > 0 { return reason }
        if errors > 0 { return "\(host) ... \(errors) rejected" }
        if admitted == 0 { return "Pending" }
        if admitted > 1 { return "\(host) ... \(admitted - 1) more" }
        return host
    }

    private static func termination(_ tls: JSON?) -> String {
        let kind = tls?["termination"]?.stringValue ?? ""
        let insecure = tls?["insecureEdgeTerminationPolicy"]?.stringValue ?? ""
        switch (kind.isEmpty, insecure.isEmpty) {
        case (false, false): return "\(kind)/\(insecure)"
        case (false, true): return kind
        case (true, false): return "default/\(insecure)"
        case (true, true): return ""
        }
    }

    /// `to` and `alternateBackends`, each with its percentage of the total weight.
    private static func backends(_ spec: JSON?) -> String {
        let all = [spec?["to"] ?? .object(JSONObject())] + (spec?["alternateBackends"]?.arrayValue ?? [])
        let total = all.compactMap { $0["weight"]?.integerValue }.reduce(0, +)
        return all.map { backend -> String in
            let name = backend["name"]?.stringValue ?? ""
            guard let weight = backend["weight"]?.integerValue else { return name }
            if all.count == 1, total != 0 { return name }
            if total == 0 { return "\(name)(0%)" }
            return "\(name)(\(weight * 100 / total)%)"
        }.joined(separator: ",")
    }
}
