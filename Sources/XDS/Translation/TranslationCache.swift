import KubeAPI
import Placement

/// Everything the last translation gave, kept so that the next one costs
/// what changed, not what exists: a build after a one-root change at
/// 10,000 roots translates that root (and any root a host changes hands
/// with), touches the hosts they want, and patches the sorted table.
///
/// A root's entry is reused while the root and its leaves keep their
/// resourceVersions and it keeps the hosts it claimed. Services are not
/// part of that key: a translation is told which Services changed, and
/// translates the roots naming them again (`rootsOfService`).
public struct TranslationCache: Sendable {
    /// One root's translation and what it came from. A class, and
    /// immutable: tables pass 10,000 of these around, and a reference
    /// costs one retain where a copy of the whole value costs dozens.
    final class Entry: Sendable {
        let source: PackedRootSource
        /// The Services its backends name.
        let services: [ObjectKey]
        /// The root's and its leaves' resourceVersions; nil when any is
        /// missing (objects not from an API server), which is never reused.
        let fingerprint: [String]?
        let age: RootAge
        let wanted: [String]
        /// The hosts it kept and what they gave; nil until translated.
        let kept: [String]?
        let virtualHost: EnvoyVirtualHost?
        let clusters: [GatewayCluster]

        /// A root not translated yet.
        convenience init(source: RootSource, fingerprint: [String]?, age: RootAge, wanted: [String]) {
            let key = ObjectKey(of: source.object)
            self.init(
                source: source.packed ?? PackedRootSource(source),
                services: source.kind.backendServiceNames(of: source.object).map { key.sibling(named: $0) },
                fingerprint: fingerprint, age: age, wanted: wanted, kept: nil, virtualHost: nil, clusters: [])
        }

        private init(
            source: PackedRootSource, services: [ObjectKey], fingerprint: [String]?, age: RootAge, wanted: [String],
            kept: [String]?, virtualHost: EnvoyVirtualHost?, clusters: [GatewayCluster]
        ) {
            self.source = source
            self.services = services
            self.fingerprint = fingerprint
            self.age = age
            self.wanted = wanted
            self.kept = kept
            self.virtualHost = virtualHost
            self.clusters = clusters
        }

        /// This entry, translated for `kept`.
        func translated(kept: [String], virtualHost: EnvoyVirtualHost?, clusters: [GatewayCluster]) -> Entry {
            Entry(
                source: source, services: services, fingerprint: fingerprint, age: age, wanted: wanted, kept: kept,
                virtualHost: virtualHost, clusters: clusters)
        }
    }

    var entries: [RootIdentity: Entry] = [:]
    /// host → the roots that want it, oldest first: the first one keeps it.
    var wanters: [String: [RootAge]] = [:]
    /// Hosts more than one root wants: where the conflicts are.
    var contested: Set<String> = []
    /// Service → the roots whose backends name it: a Service's change
    /// re-translates those alone.
    var rootsOfService: [ObjectKey: Set<RootIdentity>] = [:]
    /// The table's virtual hosts, sorted by name.
    var virtualHosts: [EnvoyVirtualHost] = []
    /// Gateway cluster name → the cluster, and how many roots route to it.
    var clusterUse: [String: (cluster: GatewayCluster, roots: Int)] = [:]
    /// Set by the snapshot builder once a translation of every root is in:
    /// from then on it may translate changes alone.
    var holdsEveryRoot = false
    /// Roots translated (not reused) by the last build: for tests and metrics.
    public private(set) var lastTranslated = 0

    public init() {}

    static func fingerprint(of source: RootSource) -> [String]? {
        func version(_ object: JSON) -> String? { object["metadata"]?["resourceVersion"]?.stringValue }
        guard let root = version(source.object) else { return nil }
        var versions: [String] = []
        versions.reserveCapacity(1 + source.leaves.count)
        for leaf in source.leaves {
            guard let version = version(leaf) else { return nil }
            versions.append(version)
        }
        // Sorted: an index hands leaves back in no particular order.
        versions.sort()
        return [root] + versions
    }

    /// Whether `source` is what `identity`'s entry was made from.
    func isCurrent(_ source: RootSource, identity: RootIdentity) -> Bool {
        guard let known = entries[identity]?.fingerprint else { return false }
        return TranslationCache.fingerprint(of: source) == known
    }

    mutating func recordTranslated(_ count: Int) {
        lastTranslated = count
    }
}

// MARK: - Host claims

extension TranslationCache {
    /// The root that keeps `host`: the oldest that wants it.
    func owner(of host: String) -> RootIdentity? {
        wanters[host]?.first?.identity
    }

    /// Records the hosts `entry` wants (oldest claim first) and the Services it names.
    mutating func want(_ entry: Entry) {
        for service in entry.services { rootsOfService[service, default: []].insert(entry.age.identity) }
        for host in entry.wanted {
            var roots = wanters[host] ?? []
            roots.insert(entry.age, at: roots.partitioningIndex { entry.age < $0 })
            wanters[host] = roots
            if roots.count > 1 { contested.insert(host) }
        }
    }

    mutating func unwant(_ entry: Entry) {
        for service in entry.services {
            rootsOfService[service]?.remove(entry.age.identity)
            if rootsOfService[service]?.isEmpty == true { rootsOfService[service] = nil }
        }
        for host in entry.wanted {
            guard var roots = wanters[host] else { continue }
            roots.removeAll { $0.identity == entry.age.identity }
            wanters[host] = roots.isEmpty ? nil : roots
            if roots.count < 2 { contested.remove(host) }
        }
    }

    /// Every standing conflict, in the order a full pass would meet them:
    /// losers oldest first, each one's hosts in the order it wrote them.
    var conflicts: [HostConflict] {
        var found: [(age: RootAge, position: Int, conflict: HostConflict)] = []
        for host in contested {
            guard let roots = wanters[host], let winner = roots.first else { continue }
            for loser in roots.dropFirst() {
                let position = entries[loser.identity]?.wanted.firstIndex(of: host) ?? 0
                found.append(
                    (loser, position, HostConflict(host: host, winner: winner.identity, loser: loser.identity)))
            }
        }
        return found.sorted { ($0.age, $0.position) < ($1.age, $1.position) }.map(\.conflict)
    }
}

// MARK: - The table

extension TranslationCache {
    /// Adds `entry`'s virtual host and clusters to the table. With
    /// `sorting: false` the virtual host is left out of `virtualHosts`,
    /// for `sortVirtualHosts()` to put back: thousands of sorted inserts
    /// cost more than one sort.
    mutating func publish(_ entry: Entry, sorting: Bool = true) {
        if sorting, let host = entry.virtualHost {
            virtualHosts.insert(host, at: virtualHosts.partitioningIndex { $0.name >= host.name })
        }
        for cluster in entry.clusters {
            clusterUse[cluster.name, default: (cluster, 0)].roots += 1
        }
    }

    mutating func withdraw(_ entry: Entry, sorting: Bool = true) {
        if sorting, let host = entry.virtualHost {
            let index = virtualHosts.partitioningIndex { $0.name >= host.name }
            if index < virtualHosts.count, virtualHosts[index].name == host.name { virtualHosts.remove(at: index) }
        }
        for cluster in entry.clusters {
            guard let use = clusterUse[cluster.name] else { continue }
            clusterUse[cluster.name] = use.roots > 1 ? (use.cluster, use.roots - 1) : nil
        }
    }

    /// `virtualHosts` made again from every entry.
    mutating func sortVirtualHosts() {
        virtualHosts = entries.values.compactMap(\.virtualHost).sorted { $0.name < $1.name }
    }

    var clusters: [GatewayCluster] {
        clusterUse.values.map(\.cluster).sorted { $0.name < $1.name }
    }
}
