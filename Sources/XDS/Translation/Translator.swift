public import KubeAPI
public import Placement

/// Roots, their leaves and the Services they name → the route table.
///
/// Pure: the same input always gives the same table, names included. With
/// a `TranslationCache` kept between calls, a change costs the roots it
/// touches, not the 10,000 there are.
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
    /// leaving there what this one gave. Linear in the roots given (each
    /// one's resourceVersions are compared with the cache's).
    public static func translate(
        roots: [RootSource], service: (ObjectKey) -> JSON?, settings: TranslationSettings = TranslationSettings(),
        servicesChanged: Set<ObjectKey> = [], cache: inout TranslationCache
    ) -> Translation {
        var given = Set<RootIdentity>()
        given.reserveCapacity(roots.count)
        var changed: [RootSource] = []
        for source in roots where !RootKind.isLeaf(source.object) {
            let identity = source.identity
            guard given.insert(identity).inserted else { continue }
            if !cache.isCurrent(source, identity: identity) { changed.append(source) }
        }
        let gone = cache.entries.keys.filter { !given.contains($0) }
        return translate(
            changed: changed, removed: gone, service: service, settings: settings, servicesChanged: servicesChanged,
            cache: &cache)
    }

    /// The translation after a change: `changed` holds each root created or
    /// changed (or its leaves) since the last call on `cache`, `removed`
    /// each root deleted, `servicesChanged` each Service created, changed
    /// or deleted; every other root is as the cache holds it. Costs what
    /// changed: the roots given, those a host changes hands with, those
    /// naming a changed Service, and a binary search per virtual host replaced.
    public static func translate(
        changed: [RootSource], removed: [RootIdentity], service: (ObjectKey) -> JSON?,
        settings: TranslationSettings = TranslationSettings(), servicesChanged: Set<ObjectKey> = [],
        cache: inout TranslationCache
    ) -> Translation {
        let listener = EnvoyListener(address: settings.listenerAddress, port: settings.listenerPort)
        // Hosts whose wanters changed, and roots whose kept hosts may have.
        var touched = Set<String>()
        var affected = Set<RootIdentity>()
        // A root naming a changed Service may route to other clusters now.
        let stale = servicesChanged.reduce(into: Set<RootIdentity>()) { $0.formUnion(cache.rootsOfService[$1] ?? []) }
        var recheck = stale
        // Past a few hundred roots at once, one sort beats keeping the table sorted.
        let sorting = removed.count + changed.count + stale.count < 256
        func drop(_ identity: RootIdentity) {
            guard let old = cache.entries.removeValue(forKey: identity) else { return }
            cache.unwant(old)
            cache.withdraw(old, sorting: sorting)
            touched.formUnion(old.wanted)
            affected.insert(identity)
        }
        for identity in removed { drop(identity) }
        // The trees in hand: the cache keeps roots packed, for those translated again later.
        var given: [RootIdentity: RootSource] = [:]
        var seen = Set<RootIdentity>()
        for source in changed where !RootKind.isLeaf(source.object) {
            let identity = source.identity
            let fingerprint = TranslationCache.fingerprint(of: source)
            guard seen.insert(identity).inserted,
                fingerprint == nil || cache.entries[identity]?.fingerprint != fingerprint
            else { continue }
            given[identity] = source
            drop(identity)
            let entry = TranslationCache.Entry(
                source: source, fingerprint: fingerprint, age: RootAge(source),
                wanted: RootHosts.hosts(of: source, settings: settings))
            cache.entries[identity] = entry
            cache.want(entry)
            touched.formUnion(entry.wanted)
            recheck.insert(identity)
        }
        for host in touched {
            // Whoever wants a touched host may have gained or lost it.
            for age in cache.wanters[host] ?? [] { recheck.insert(age.identity) }
        }
        var translated = 0
        for identity in recheck {
            guard let entry = cache.entries[identity] else { continue }
            let hosts = entry.wanted.filter { cache.owner(of: $0) == identity }
            if entry.kept == hosts, !stale.contains(identity) { continue }
            translated += 1
            affected.insert(identity)
            var host: EnvoyVirtualHost?
            var used: [GatewayCluster] = []
            if !hosts.isEmpty {
                var registry = GatewayClusterRegistry()
                let made = virtualHost(
                    given[identity] ?? entry.source.unpacked(), identity: identity, wanted: entry.wanted, hosts: hosts,
                    listener: listener,
                    service: service, registry: &registry)
                let names = made.clusterNames
                host = made
                used = registry.clusters.values.filter { names.contains($0.name) }.sorted { $0.name < $1.name }
            }
            cache.withdraw(entry, sorting: sorting)
            let next = entry.translated(kept: hosts, virtualHost: host, clusters: used)
            cache.entries[identity] = next
            cache.publish(next, sorting: sorting)
        }
        if !sorting { cache.sortVirtualHosts() }
        cache.recordTranslated(translated)
        return Translation(
            table: RouteTable(listener: listener, virtualHosts: cache.virtualHosts, clusters: cache.clusters),
            conflicts: cache.conflicts, retranslated: affected)
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
