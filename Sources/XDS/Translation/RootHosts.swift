import KubeAPI
import Placement

/// The hosts a root asks Envoy to serve: lower case, without a final dot,
/// valid, each once, in the order written.
enum RootHosts {
    static func hosts(of source: RootSource, settings: TranslationSettings) -> [String] {
        var written = source.kind.hosts(of: source.object)
        if source.kind == .route, let host = written.first,
            source.object["spec"]?["wildcardPolicy"]?.stringValue == "Subdomain"
        {
            // OpenShift's Subdomain policy: `www.example.com` serves
            // `*.example.com`, one label deep. A parent without a dot
            // (`example.com` → `*.com`) would claim a whole top-level
            // domain: the host then stays exact.
            let parent = host.split(separator: ".", maxSplits: 1).dropFirst().first
            written = [parent.flatMap { $0.contains(".") ? "*.\($0)" : nil } ?? host]
        }
        var seen = Set<String>()
        let hosts = written.compactMap(HostNames.normalized).filter { seen.insert($0).inserted }
        // A root that names no host is reached only at the name its status
        // reports; one that names hosts is reached at them (its status host
        // is then either one of them or a name to point them at).
        if hosts.isEmpty, let domain = settings.statusHostDomain,
            let statusHost = HostNames.normalized(
                StatusHost.host(of: source.object, kind: source.kind, domain: domain))
        {
            return [statusHost]
        }
        return hosts
    }
}
