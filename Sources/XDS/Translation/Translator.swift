public import KubeAPI
public import Placement

/// Roots, their leaves and the Services they name → the route table.
///
/// Pure and linear in the number of roots (apart from sorting them by age):
/// every look-up is a dictionary look-up, so 10,000 roots translate in one
/// pass. The same input always gives the same table, names included.
public enum Translator {
    /// `service` finds a Service by key, as `PlacementReader.service` does.
    /// A root given twice counts once; a leaf given as a root is skipped
    /// (a kind's informer holds both, and a leaf would claim its root's hosts).
    public static func translate(
        roots: [RootSource], service: (ObjectKey) -> JSON?, settings: TranslationSettings = TranslationSettings()
    ) -> Translation {
        var fresh = TranslationCache()
        var translation = translate(roots: roots, service: service, settings: settings, cache: &fresh)
        translation.retranslated = nil
        return translation
    }

    /// The same translation, reusing from `cache` every root whose
    /// objects and claimed hosts did not change since the last call, and
    /// leaving there what this one gave.
    public static func translate(
        roots: [RootSource], service: (ObjectKey) -> JSON?, settings: TranslationSettings = TranslationSettings(),
        cache: inout TranslationCache
    ) -> Translation {
        let listener = EnvoyListener(address: settings.listenerAddress, port: settings.listenerPort)
        var entries: [RootIdentity: TranslationCache.Entry] = [:]
        entries.reserveCapacity(roots.count)
        var sources: [RootIdentity: RootSource] = [:]
        for source in roots where !RootKind.isLeaf(source.object) {
            let identity = source.identity
            guard sources[identity] == nil else { continue }
            sources[identity] = source
            let fingerprint = TranslationCache.fingerprint(of: source)
            if let fingerprint, let known = cache.entries[identity], known.fingerprint == fingerprint {
                entries[identity] = known
            } else {
                entries[identity] = TranslationCache.Entry(
                    fingerprint: fingerprint, age: RootAge(source),
                    wanted: RootHosts.hosts(of: source, settings: settings))
            }
        }
        // Oldest first, so each host goes to the oldest root claiming it.
        let sameRoots =
            cache.order.count == entries.count && cache.order.allSatisfy { entries[$0.identity] != nil }
        let ordered = sameRoots ? cache.order : entries.values.map { $0.age }.sorted()
        var claims = HostClaims()
        var virtualHosts: [EnvoyVirtualHost] = []
        var clusters: [String: GatewayCluster] = [:]
        var translated = 0
        var retranslated = Set<RootIdentity>()
        for age in ordered {
            var entry = entries[age.identity]!
            let hosts = claims.claim(entry.wanted, by: age.identity)
            if entry.kept != hosts || entry.fingerprint == nil {
                translated += 1
                retranslated.insert(age.identity)
                var host: EnvoyVirtualHost?
                var used: [GatewayCluster] = []
                if !hosts.isEmpty {
                    var registry = GatewayClusterRegistry()
                    let made = virtualHost(
                        sources[age.identity]!, identity: age.identity, wanted: entry.wanted, hosts: hosts,
                        listener: listener, service: service, registry: &registry)
                    let names = made.clusterNames
                    host = made
                    used = registry.clusters.values.filter { names.contains($0.name) }
                }
                entry = entry.translated(kept: hosts, virtualHost: host, clusters: used)
                entries[age.identity] = entry
            }
            if let host = entry.virtualHost { virtualHosts.append(host) }
            for cluster in entry.clusters where clusters[cluster.name] == nil { clusters[cluster.name] = cluster }
        }
        cache.entries = entries
        cache.order = ordered
        cache.recordTranslated(translated)
        virtualHosts.sort { $0.name < $1.name }
        return Translation(
            table: RouteTable(
                listener: listener, virtualHosts: virtualHosts, clusters: clusters.values.sorted { $0.name < $1.name }),
            conflicts: claims.conflicts, retranslated: retranslated)
    }

    /// One root's virtual host, for the hosts it keeps.
    static func virtualHost(
        _ source: RootSource, identity: RootIdentity, wanted: [String], hosts: [String], listener: EnvoyListener,
        service: (ObjectKey) -> JSON?, registry: inout GatewayClusterRegistry
    ) -> EnvoyVirtualHost {
        let resolver = BackendResolver(root: source, rootHosts: Set(wanted), service: service, registry: &registry)
        let routes: [EnvoyRoute]
        switch source.kind {
        case .ingress: routes = IngressRoutes.routes(of: source.object, hosts: hosts, resolver: resolver)
        case .httpRoute: routes = HTTPRouteRoutes.routes(of: source.object, resolver: resolver)
        case .route: routes = OpenShiftRoutes.routes(of: source.object, hosts: hosts, resolver: resolver)
        }
        return EnvoyVirtualHost(
            name: RouteTable.virtualHostName(routeConfigurationName: listener.routeConfigurationName, root: identity),
            domains: hosts.flatMap(HostDomains.domains(for:)), routes: routes, root: identity, hosts: hosts)
    }

    /// The roots among `objects` (leaves are skipped) with their leaves and
    /// Services as `reader` knows them: translation from the informers' stores.
    public static func translate(
        objects: [(kind: RootKind, object: JSON)], reader: some PlacementReader,
        settings: TranslationSettings = TranslationSettings()
    ) -> Translation {
        translate(roots: RootSource.roots(of: objects, reader: reader), service: reader.service, settings: settings)
    }
}
