public import KubeAPI

/// The gateway addresses a leaf's cluster reports, read from what its
/// syncer copied back.
///
/// * Ingress: `status.loadBalancer.ingress[]`, the IP else the hostname.
/// * Route: `status.ingress[].routerCanonicalHostname` of each router that
///   did not refuse the route; else the entry's `host` when it is not one of
///   the root's own hosts (those lead back to Envoy itself).
/// * HTTPRoute: its status carries no address at all (`status.parents`
///   holds only conditions; the address is on the Gateway, which is not
///   synced back), so only the annotation below can give one.
///
/// Any kind whose status gives no address may carry the annotation
/// `kcp.dev/gateway-addresses`: comma-separated `host`, `host:port`,
/// `[ipv6]:port` entries, written by whoever knows the cluster's gateway
/// (its syncer, or an operator).
public enum LeafAddresses {
    public static let annotation = PlacementLabels.gatewayAddressesAnnotation

    /// Distinct, in the order found. `rootHosts` are normalised hosts.
    public static func addresses(of leaf: JSON, kind: RootKind, rootHosts: Set<String>) -> [GatewayAddress] {
        var found: [GatewayAddress]
        switch kind {
        case .ingress:
            found = Ingress(json: leaf).loadBalancerIngress.compactMap { entry in
                guard let host = nonEmpty(entry.ip) ?? nonEmpty(entry.hostname) else { return nil }
                return GatewayAddress(host: host, port: httpPort(entry.ports))
            }
        case .route:
            found = Route(json: leaf).ingress.filter { !refused($0) }.compactMap { entry in
                if let router = nonEmpty(entry.routerCanonicalHostname) { return GatewayAddress(host: router) }
                guard let host = nonEmpty(entry.host).flatMap(HostNames.normalized), !rootHosts.contains(host),
                    !HostNames.isWildcard(host)
                else { return nil }
                return GatewayAddress(host: host)
            }
        case .httpRoute:
            found = []
        }
        if found.isEmpty, let value = ObjectMeta(json: leaf["metadata"] ?? [:]).annotations[annotation] {
            found = parseAnnotation(value)
        }
        var seen = Set<GatewayAddress>()
        return found.filter { seen.insert($0).inserted }
    }

    /// The port to speak plain HTTP to: 80 when listed or when no port is,
    /// else the first valid one listed.
    static func httpPort(_ ports: [JSON]) -> Int {
        let listed = ports.compactMap { $0["port"]?.integerValue }.filter { (1...65535).contains($0) }.map(Int.init)
        return listed.isEmpty || listed.contains(GatewayAddress.defaultPort) ? GatewayAddress.defaultPort : listed[0]
    }

    /// Entries that do not parse are skipped.
    static func parseAnnotation(_ value: String) -> [GatewayAddress] {
        value.split(separator: ",").compactMap { raw in
            let entry = String(raw.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
                let host = String(entry[entry.index(after: entry.startIndex)..<close])
                let rest = entry[entry.index(after: close)...]
                if rest.isEmpty { return GatewayAddress.isIPv6(host) ? GatewayAddress(host: host) : nil }
                guard rest.hasPrefix(":"), let port = port(rest.dropFirst()), GatewayAddress.isIPv6(host) else {
                    return nil
                }
                return GatewayAddress(host: host, port: port)
            }
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            switch parts.count {
            case 1: return hostShaped(entry) ? GatewayAddress(host: entry.lowercased()) : nil
            case 2:
                guard hostShaped(String(parts[0])), let port = port(parts[1]) else { return nil }
                return GatewayAddress(host: parts[0].lowercased(), port: port)
            default: return GatewayAddress.isIPv6(entry) ? GatewayAddress(host: entry.lowercased()) : nil
            }
        }
    }

    private static func port(_ text: Substring) -> Int? {
        guard let port = Int(text), (1...65535).contains(port) else { return nil }
        return port
    }

    private static func hostShaped(_ text: String) -> Bool {
        GatewayAddress.isIPv4(text) || NameValidation.dns1123SubdomainError(text.lowercased()) == nil
    }

    /// A router that says `Admitted: False` will not serve the route.
    private static func refused(_ entry: RouteIngress) -> Bool {
        entry.conditions.contains { $0.type == "Admitted" && $0.status == .false }
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
