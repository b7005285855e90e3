import Foundation
import KubeAPI

/// kube-apiserver's Service and Ingress printers. The server prints as
/// `-o wide` always (kubectl hides priority-1 columns itself), so load
/// balancer addresses are never shortened.
extension TablePrinter {
    static let service = TablePrinter(
        columns: [
            .name,
            TableColumn("Type", "type determines how the Service is exposed."),
            TableColumn("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
            TableColumn(
                "External-IP",
                "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."
            ),
            TableColumn("Port(s)", "The list of ports that are exposed by this service."),
            .age,
            TableColumn(
                "Selector",
                "Route service traffic to pods with label keys and values matching this selector.", priority: 1),
        ]
    ) { object, now in
        let spec = object["spec"]
        let clusterIP = spec?["clusterIPs"]?.arrayValue?.first?.stringValue ?? "<none>"
        var ports = (spec?["ports"]?.arrayValue ?? []).map { port in
            let number = port["port"]?.integerValue ?? 0
            let proto = port["protocol"]?.stringValue ?? ""
            if let node = port["nodePort"]?.integerValue, node > 0 { return "\(number):\(node)/\(proto)" }
            return "\(number)/\(proto)"
        }.joined(separator: ",")
        if ports.isEmpty { ports = "<none>" }
        return [
            .string(object.name), .string(spec?["type"]?.stringValue ?? ""), .string(clusterIP),
            .string(externalIP(object)), .string(ports), age(object, now), .string(formatLabels(spec?["selector"])),
        ]
    }

    private static func externalIP(_ service: JSON) -> String {
        let spec = service["spec"]
        let external = (spec?["externalIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
        switch spec?["type"]?.stringValue ?? "" {
        case "ClusterIP", "NodePort":
            return external.isEmpty ? "<none>" : external.joined(separator: ",")
        case "LoadBalancer":
            let balancers = loadBalancerAddresses(service["status"]?["loadBalancer"])
            let all = balancers + external
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        case "ExternalName":
            return spec?["externalName"]?.stringValue ?? ""
        default:
            return "<unknown>"
        }
    }

    /// The distinct IPs (else hostnames) of a load balancer status, sorted.
    static func loadBalancerAddresses(_ status: JSON?) -> [String] {
        let addresses = (status?["ingress"]?.arrayValue ?? []).compactMap { entry -> String? in
            if let ip = entry["ip"]?.stringValue, !ip.isEmpty { return ip }
            if let host = entry["hostname"]?.stringValue, !host.isEmpty { return host }
            return nil
        }
        return Set(addresses).sorted()
    }

    /// `labels.FormatLabels`: `k=v` sorted by key, `<none>` when empty.
    static func formatLabels(_ labels: JSON?) -> String {
        guard let members = labels?.objectValue, !members.isEmpty else { return "<none>" }
        return members.map { "\($0.key)=\($0.value.stringValue ?? "")" }.sorted().joined(separator: ",")
    }

    static let ingress = TablePrinter(
        columns: [
            .name,
            TableColumn(
                "Class", "The name of the IngressClass resource that should be used for additional configuration"),
            TableColumn("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
            TableColumn("Address", "Address is a list containing ingress points for the load-balancer"),
            TableColumn("Ports", "Ports of TLS configurations that open"),
            .age,
        ]
    ) { object, now in
        let spec = object["spec"]
        let tls = spec?["tls"]?.arrayValue ?? []
        return [
            .string(object.name), .string(spec?["ingressClassName"]?.stringValue ?? "<none>"),
            .string(hosts(spec?["rules"]?.arrayValue ?? [])),
            .string(loadBalancerAddresses(object["status"]?["loadBalancer"]).joined(separator: ",")),
            .string(tls.isEmpty ? "80" : "80, 443"), age(object, now),
        ]
    }

    /// The first three hosts, then how many rules more.
    private static func hosts(_ rules: [JSON]) -> String {
        // kube-apiserver stops collecting at three hosts and counts the rest by rules.
        var shown: [String] = []
        var more = false
        for rule in rules {
            if shown.count == 3 { more = true }
            if !more, let host = rule["host"]?.stringValue, !host.isEmpty { shown.append(host) }
        }
        if shown.isEmpty { return "*" }
        let list = shown.joined(separator: ",")
        return more ? "\(list) + \(rules.count - 3) more..." : list
    }
}
