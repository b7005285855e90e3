public import KubeAPI

/// The host a root reports in its status when Envoy is its entry point.
public enum StatusHost {
    /// The proof of concept's default `-domain`.
    public static let defaultDomain = "kcp-apps.127.0.0.1.nip.io"

    /// The first host when every host lies inside `domain`, else
    /// `<fnv32a(name + namespace + logicalCluster)>.<domain>`, the hash in
    /// decimal as the proof of concept printed it. A root with no hosts
    /// gets the hashed host too.
    public static func host(
        hosts: [String], name: String, namespace: String, logicalCluster: String, domain: String
    ) -> String {
        if let first = hosts.first, hosts.allSatisfy({ isInside($0, domain: domain) }) {
            return first
        }
        return "\(FNV1a.hash32(name + namespace + logicalCluster)).\(domain)"
    }

    /// The status host of a root object of `kind`.
    public static func host(of root: JSON, kind: RootKind, domain: String) -> String {
        let key = ObjectKey(of: root)
        return host(
            hosts: kind.hosts(of: root), name: key.name, namespace: key.namespace,
            logicalCluster: key.logicalCluster, domain: domain)
    }

    /// Whether `host` is `domain` or a name under it: a suffix match on a
    /// label boundary, case-insensitive, ignoring a final dot. (A substring
    /// test, as the proof of concept made, lets
    /// `evil-kcp-apps.127.0.0.1.nip.io.attacker.example` through.)
    public static func isInside(_ host: String, domain: String) -> Bool {
        func normal(_ name: String) -> String {
            let lower = name.lowercased()
            return lower.hasSuffix(".") ? String(lower.dropLast()) : lower
        }
        let host = normal(host)
        let domain = normal(domain)
        guard !domain.isEmpty else { return false }
        return host == domain || host.hasSuffix("." + domain)
    }
}
