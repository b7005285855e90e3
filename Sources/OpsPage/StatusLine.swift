import KubeAPI
import Placement

/// An object's status in one line of text, as the page shows it for a root
/// or a leaf: what an operator would otherwise read in `kubectl get -o yaml`.
enum StatusLine {
    static func of(_ object: JSON, kind: RootKind) -> String {
        let line: String
        switch kind {
        case .ingress:
            let addresses = Ingress(json: object).loadBalancerIngress.compactMap { entry -> String? in
                guard let host = entry.ip ?? entry.hostname else { return nil }
                let ports = entry.ports.compactMap { $0["port"]?.integerValue }.map(String.init)
                return ports.isEmpty ? host : "\(host):\(ports.joined(separator: ","))"
            }
            line = addresses.isEmpty ? "" : "load balancer \(addresses.joined(separator: ", "))"
        case .httpRoute:
            line = (object["status"]?["parents"]?.arrayValue ?? []).map { parent in
                let controller = parent["controllerName"]?.stringValue ?? "?"
                return "\(controller): " + conditions(parent["conditions"]?.arrayValue ?? [])
            }.joined(separator: "; ")
        case .route:
            line = (object["status"]?["ingress"]?.arrayValue ?? []).map { entry in
                let router = entry["routerName"]?.stringValue ?? "?"
                return "\(router): " + conditions(entry["conditions"]?.arrayValue ?? [])
            }.joined(separator: "; ")
        }
        return line.isEmpty ? "no status yet" : line
    }

    /// `Accepted=True (message), ResolvedRefs=True`.
    private static func conditions(_ conditions: [JSON]) -> String {
        conditions.map { condition in
            let text = "\(condition["type"]?.stringValue ?? "?")=\(condition["status"]?.stringValue ?? "?")"
            guard let message = condition["message"]?.stringValue, !message.isEmpty else { return text }
            return "\(text) (\(message))"
        }.joined(separator: ", ")
    }
}
